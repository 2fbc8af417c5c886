"""How the elicitation generation rate scales with batch size on the embedded models (2 CPU cores), measured in one run.

ValueLex's expensive step is sampling many answers: each (model, prompt, θ) request asks for `repeats` samples, and
the backend packs requests and samples into batches of `batch_size` sequences decoded together. This bench times
the same sampled elicitation requests (the 15 prompts of Appendix A.1, framed as `elicit` frames them) at several
batch sizes, cache off, and prints answers/s, generated tokens/s and the ratio to batch size 1.

    python bench/bench_generation.py [--model embedded/smollm2] [--answers 32] [--max-tokens 48] [--sizes 1 4 8 16 32]
"""
import argparse, time
from valuestudy.cache import CallCache
from valuestudy.valuelex.elicit import frame, load_prompts
from valuestudy.models import get_model
from record import record

def requests(model_spec, n_answers, max_tokens, repeats=2):
    "Sampled elicitation requests totalling `n_answers` answers (`repeats` samples each) for one panel model."
    kind = get_model(model_spec, cache=CallCache(':memory:', mode='off')).kind
    prompts = load_prompts().prompt.tolist()
    n_req = -(-n_answers // repeats)
    return [{**frame(prompts[i % len(prompts)], kind), 'n': repeats, 'max_tokens': max_tokens,
             'temperature': 1.0, 'top_p': 0.95 - 0.01*(i // len(prompts))} for i in range(n_req)]   # distinct requests

def run(model, reqs):
    "Seconds, answers and generated tokens (by the model's tokenizer) of one cold pass over the requests."
    t0 = time.perf_counter(); answers = model.generate(reqs, progress=False); secs = time.perf_counter() - t0
    texts = [t for a in answers for t in a]
    tok = getattr(model, 'tok', None)
    n_tok = sum(len(tok(t, add_special_tokens=False).input_ids) for t in texts) if tok else sum(len(t.split()) for t in texts)
    return secs, len(texts), n_tok

def main(spec, n_answers, max_tokens, sizes):
    off = CallCache(':memory:', mode='off')
    model = get_model(spec, cache=off, batch_size=max(sizes))
    reqs = requests(spec, n_answers, max_tokens)
    model.generate(reqs[:1], progress=False)                        # load the weights
    print(f"{spec}: {sum(r['n'] for r in reqs)} sampled answers of <= {max_tokens} tokens per run")
    print(f"{'batch':>6} {'seconds':>8} {'answers/s':>10} {'tokens/s':>9} {'vs batch 1':>10}")
    base, rows = None, []
    for b in sizes:
        model.batch_size = b
        secs, n, n_tok = run(model, reqs)
        base = base or n/secs
        print(f"{b:>6} {secs:>8.1f} {n/secs:>10.2f} {n_tok/secs:>9.1f} {n/secs/base:>9.1f}x")
        rows.append({'batch': b, 'seconds': secs, 'answers_per_s': n/secs, 'tokens_per_s': n_tok/secs, 'vs_batch_1': n/secs/base})
    return {'model': spec, 'answers': n, 'by_batch': rows}

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='embedded/smollm2'); ap.add_argument('--answers', type=int, default=32)
    ap.add_argument('--max-tokens', type=int, default=48); ap.add_argument('--sizes', type=int, nargs='+', default=[1, 4, 8, 16, 32])
    a = ap.parse_args(); record('bench_generation', main(a.model, a.answers, a.max_tokens, a.sizes), vars(a))
