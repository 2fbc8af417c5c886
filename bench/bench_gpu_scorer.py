"""GPV perception scoring with an 8B-class scorer on a GPU, measured in one run (timing only: a randomly initialised
Llama-3-8B-shaped model stands in for ValueLlama-3-8B, which cannot be downloaded here).

Ours: `LLMScorer.relevance` -> `HFModel.score_labels`: batches of Prompt 1 pairs, one forward pass per batch, the
shared instruction run once per batch (prompt-prefix sharing), the LM head only at the last position.
Upstream: one `model.generate` call per pair (greedy, `--new-tokens` tokens), the answer decoded and parsed.
Beside them: the bf16 matmul roofline of the device, and each scoring pass's achieved FLOP/s as a fraction of it (2 FLOPs
per weight per token read; targets: shared-prefix scoring >= 50x upstream's generate per pair, >= 50 % of the roofline).

    python bench/bench_gpu_scorer.py --tokenizer DIR [--pairs 1024] [--baseline-pairs 64] [--out results.json]

`--tokenizer` is a folder with a tokenizer (the embedded SmolLM2's works: its ids fit Llama 3's vocabulary).
"""
import argparse, json, shutil, time
from record import record
from pathlib import Path
import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM
from valuestudy.cache import CallCache
from valuestudy.gpv.measure import LLMScorer
from valuestudy.gpv.stories import SCHWARTZ_NAMES
from valuestudy.models import get_model

SENTENCES = ["I always tell the truth, even when it costs me.", "Saving money for my children matters most to me.",
    "Power is everything in this world.", "I love trying new foods and travelling to strange places.",
    "Helping my neighbours is part of who I am.", "Rules exist for a reason and should be followed.",
    "I want to be admired for my achievements.", "Protecting the environment is our duty to future generations.",
    "Life is short, so enjoy every pleasure you can.", "I respect the traditions my grandparents taught me.",
    "Being independent and choosing my own goals is essential.", "A safe and stable home is what I want most.",
    "Everyone deserves equal rights regardless of origin.", "I should never upset or harm other people.",
    "Winning the competition proves my ability.", "Adventure and excitement make life worth living."]
LLAMA3_8B = dict(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                 num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=8192, rope_theta=500000.0,
                 tie_word_embeddings=False)

TINY = {**LLAMA3_8B, 'hidden_size': 64, 'intermediate_size': 128, 'num_hidden_layers': 2, 'num_attention_heads': 4,
        'num_key_value_heads': 2}                                    # `--tiny`: a CPU dry run of this script
DEV = 'cuda' if torch.cuda.is_available() else 'cpu'
sync = torch.cuda.synchronize if DEV == 'cuda' else (lambda: None)

def build_random_llama(folder, tokenizer, shape=LLAMA3_8B):
    "Save a randomly initialised Llama-3-8B-shaped model (bf16) with `tokenizer` into `folder`."
    torch.manual_seed(0); torch.set_default_dtype(torch.bfloat16)
    with torch.device(DEV): model = LlamaForCausalLM(LlamaConfig(**shape))
    torch.set_default_dtype(torch.float32)
    model.save_pretrained(folder); AutoTokenizer.from_pretrained(tokenizer).save_pretrained(folder)
    del model; torch.cuda.empty_cache()

def timed(fn):
    sync(); t0 = time.perf_counter(); out = fn(); sync()
    return out, time.perf_counter() - t0

def upstream_rate(hf, prompts, new_tokens):
    "Pairs/s of one greedy `generate` call per pair, decoded and parsed as yes/no."
    def run():
        for p in prompts:
            enc = hf.tok(p, return_tensors='pt', add_special_tokens=False).to(hf.device)
            out = hf.model.generate(**enc, max_new_tokens=new_tokens, do_sample=False, temperature=None, top_p=None,
                                    top_k=None, pad_token_id=hf.tok.pad_token_id)
            _ = 'yes' in hf.tok.decode(out[0, enc['input_ids'].shape[1]:]).lower()
    _, secs = timed(run)
    return len(prompts)/secs

def matmul_roofline(n=None, repeats=20, dtype=torch.bfloat16) -> float:
    "FLOP/s of large square bf16 matmuls on this device: the ceiling a prefill (all GEMMs) can approach."
    n = n or (8192 if DEV == 'cuda' else 1024)
    x, y = torch.randn(n, n, device=DEV, dtype=dtype), torch.randn(n, n, device=DEV, dtype=dtype)
    for _ in range(3): x @ y
    _, secs = timed(lambda: [x @ y for _ in range(repeats)])
    return 2*n**3*repeats/secs

def prefill_flops(model, tokens:int, rows:int) -> float:
    "FLOPs of a forward pass over `tokens` tokens (2 per weight per token, attention ignored) with the LM head on `rows` rows."
    body = sum(p.numel() for n, p in model.named_parameters() if 'embed_tokens' not in n and 'lm_head' not in n)
    return 2*body*tokens + 2*model.lm_head.weight.numel()*rows

def tokens_run(hf, prompts, batch, share) -> int:
    "Tokens the forward passes read: each batch's shared prefix once when sharing, else every prompt whole (no padding)."
    from valuestudy.hf import shared_prefix_len
    rows, total = hf.encode(prompts), 0
    for i in range(0, len(rows), batch):
        chunk = rows[i:i+batch]
        P = shared_prefix_len(chunk) if share else 0
        total += P + sum(len(r) - P for r in chunk)
    return total

def main(a):
    folder = Path(a.workdir)/('llama-tiny-random' if a.tiny else 'llama3-8b-random')
    if not folder.exists(): build_random_llama(folder, a.tokenizer, TINY if a.tiny else LLAMA3_8B)
    hf = get_model(f'hf/{folder}', cache=CallCache(':memory:', mode='off'), batch_size=a.batches[0], dtype='bfloat16')
    scorer = LLMScorer(hf, as_chat=False)
    values = list(SCHWARTZ_NAMES.values())
    pairs = [(s, v) for s in SENTENCES for v in values]
    pairs = (pairs * (a.pairs//len(pairs) + 1))[:a.pairs]
    prompts = scorer.prompts('relevance', pairs[:a.baseline_pairs])
    rows = {}
    upstream_rate(hf, prompts[:4], a.new_tokens)                                   # warm-up
    rows[f'upstream: generate per pair ({a.new_tokens} new tokens)'] = upstream_rate(hf, prompts, a.new_tokens)
    rows['upstream: generate per pair (1 new token)'] = upstream_rate(hf, prompts, 1)
    for batch in a.batches:
        hf.batch_size = batch
        for share in (True, False):
            hf.min_shared_prefix = 16 if share else 10**9
            scorer.relevance(pairs[:batch])                                         # warm-up at this shape
            _, secs = timed(lambda: scorer.relevance(pairs))
            rows[f'ours: score_labels, batch {batch}, prefix sharing {"on" if share else "off"}'] = len(pairs)/secs
    hf.batch_size = a.batches[-1]
    lp_on = hf._next_token_logprobs(prompts[:16]); lp_off = hf._next_token_logprobs(prompts[:16], min_shared_prefix=10**9)
    base = rows[f'upstream: generate per pair ({a.new_tokens} new tokens)']
    roofline = matmul_roofline()
    all_prompts = scorer.prompts('relevance', pairs)
    utilization = {}                                                 # achieved FLOP/s of the scoring passes / roofline
    for batch in a.batches:
        for share in (True, False):
            key = f'ours: score_labels, batch {batch}, prefix sharing {"on" if share else "off"}'
            flops = prefill_flops(hf.model, tokens_run(hf, all_prompts, batch, share), len(pairs))
            utilization[key] = flops/(len(pairs)/rows[key])/roofline
    device = torch.cuda.get_device_name() if DEV == 'cuda' else 'cpu'
    print(f"{device}, {len(pairs)} pairs (ours), {len(prompts)} pairs (upstream), bf16")
    print(f"matmul roofline (bf16): {roofline/1e12:.2f} TFLOP/s")
    for k, r in rows.items(): print(f"{k:60s} {r:9.1f} pairs/s  {r/base:6.1f}x"
                                    + (f"  {100*utilization[k]:5.1f} % of roofline" if k in utilization else ''))
    print(f"max |log p| difference, prefix sharing on vs off (bf16): {float((lp_on - lp_off).abs().max()):.4f}")
    result = {'device': device, 'tiny': a.tiny, 'pairs_per_s': rows,
              'ratios_vs_upstream': {k: r/base for k, r in rows.items()},
              'matmul_roofline_flops': roofline, 'fraction_of_roofline': utilization,
              'targets': {'shared_prefix_vs_upstream': 50, 'fraction_of_prefill_roofline': 0.5},
              'max_abs_logprob_difference_prefix_sharing': float((lp_on - lp_off).abs().max())}
    if a.out: Path(a.out).write_text(json.dumps(result, indent=1))
    if a.cleanup: shutil.rmtree(folder)
    return result

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--tokenizer', required=True); ap.add_argument('--workdir', default='/tmp')
    ap.add_argument('--pairs', type=int, default=1024); ap.add_argument('--baseline-pairs', type=int, default=64)
    ap.add_argument('--tiny', action='store_true'); ap.add_argument('--batches', type=int, nargs='+', default=[32, 128])
    ap.add_argument('--new-tokens', type=int, default=4); ap.add_argument('--out'); ap.add_argument('--cleanup', action='store_true')
    a = ap.parse_args(); record('bench_gpu_scorer' + ('_tiny' if a.tiny else ''), main(a), vars(a))
