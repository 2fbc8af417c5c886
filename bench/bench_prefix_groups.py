"""Shared prefixes beyond the common one, on the embedded SmolLM2 (2 CPU cores): pairs per second before and after,
on the same inputs, measured in one run.

1. GPV Prompt 1 (relevance), zero-shot: the instruction and the sentence come before the value, so the pairs of one
   sentence share a prefix. Before: only the instruction is shared (group prefixes off); after: each sentence runs
   once per batch (`prefix_groups`).
2. ValueLex φ, score-only: before, the pair was written value first (no prefix beyond the worked examples); after,
   stem and completion come first and the value last, so the requests of one completion share them.

3. Generation: φ chain-of-thought requests (the instruction and four worked examples are one long prefix), greedy,
   with the shared prefix run once per batch vs every row run whole. The texts must be the same.

The log-probabilities of 1 and the texts of 3 are compared (the same prompts, so they must agree); 2 changes the
prompt, so its numbers are compared only for speed.

    python bench/bench_prefix_groups.py [--sentences 8] [--completions 8]
"""
import argparse, time
from pathlib import Path
import numpy as np, pandas as pd
from record import record
from valuestudy.cache import CallCache
from valuestudy.data import valuebench_items
from valuestudy.gpv.measure import LLMScorer
from valuestudy.gpv.stories import SCHWARTZ_NAMES
from valuestudy.models import get_model
from valuestudy.valuelex.judge import phi_request, load_phi_examples, PHI_LEVELS
from valuestudy.valuelex.projective import value_system, stem_text
from valuestudy.prompts import load_instrument

ROOT = Path(__file__).resolve().parent.parent

def timed(fn):
    t0 = time.perf_counter(); out = fn(); return out, time.perf_counter() - t0

def old_phi_prompt(judge, item):
    "The score-only φ request as it was written before: value first, then stem and completion."
    ex = load_phi_examples()
    shots = '\n\n'.join(f"Value: {e.value} ({e.definition})\nStem: {e.stem}\nCompletion: {e.completion}\nScore: {e.score}"
                        for e in ex.itertuples())
    head = load_instrument('valuelex_phi_judge.txt').strip().split('{examples}')[0]
    body = f"{head}{shots}\n\nValue: {item.value} ({item.definition})\nStem: {stem_text(item.stem)}\nCompletion: {item.completion}"
    new = phi_request(judge, item, mode='score')[0]
    tail = new[0]['content'].rsplit('\n\n', 1)[1]                 # the same closing instruction
    return [{'role': 'user', 'content': f"{body}\n\n{tail}"}]

def main(n_sentences, n_completions):
    m = get_model('embedded/smollm2', cache=CallCache(':memory:', mode='off'), batch_size=32)
    scorer = LLMScorer(m)
    values = list(SCHWARTZ_NAMES.values())
    sentences = valuebench_items(['PVQ40']).item.drop_duplicates().head(n_sentences).tolist()
    pairs = [(s, v) for s in sentences for v in values]
    prompts = scorer.prompts('relevance', pairs)
    labels = scorer.labels('relevance')
    m.score_labels(prompts[:4], labels)                                        # warm up
    def score(min_group):
        m.min_group_prefix = min_group
        return np.array(sum((m._logprobs(prompts[i:i+32], labels) for i in range(0, len(prompts), 32)), []))
    off, t_off = timed(lambda: score(10**9))
    on, t_on = timed(lambda: score(8))
    m.min_group_prefix = 8
    gpv = {'pairs': len(pairs), 'pairs_per_s_before': len(pairs)/t_off, 'pairs_per_s_after': len(pairs)/t_on,
           'ratio': t_off/t_on, 'max_abs_logprob_difference': float(np.abs(on - off).max())}
    print(f"GPV Prompt 1, {len(pairs)} pairs ({n_sentences} sentences x {len(values)} values): "
          f"{gpv['pairs_per_s_before']:.1f} -> {gpv['pairs_per_s_after']:.1f} pairs/s ({gpv['ratio']:.2f}x); "
          f"max |log p| difference {gpv['max_abs_logprob_difference']:.1e}")
    system = value_system('valuelex')
    labelled = pd.read_csv(ROOT/'data/instruments/valuelex_phi_labelled.csv')     # real completions of the stems
    completions = labelled[['stem', 'completion']].drop_duplicates().head(n_completions)
    items = completions.merge(system, how='cross')
    new = [phi_request(m, it, mode='score')[0] for it in items.itertuples()]
    old = [old_phi_prompt(m, it) for it in items.itertuples()]
    phi_labels = [str(l) for l in PHI_LEVELS]
    batches = lambda ps: [m._logprobs(ps[i:i+32], phi_labels) for i in range(0, len(ps), 32)]
    m.min_group_prefix = 10**9
    _, t_old = timed(lambda: batches(old))
    m.min_group_prefix = 8
    _, t_new = timed(lambda: batches(new))
    phi = {'pairs': len(items), 'pairs_per_s_before': len(items)/t_old, 'pairs_per_s_after': len(items)/t_new, 'ratio': t_old/t_new}
    print(f"phi score-only, {len(items)} pairs ({len(completions)} completions x {len(system)} values): "
          f"{phi['pairs_per_s_before']:.1f} -> {phi['pairs_per_s_after']:.1f} pairs/s ({phi['ratio']:.2f}x)")
    cot = [{'messages': phi_request(m, it, mode='cot')[0], 'max_tokens': 48} for it in labelled.head(n_completions*2).assign(definition='what the value means').itertuples()]
    m.min_shared_prefix = 10**9
    whole, t_whole = timed(lambda: m.generate(cot, progress=False))
    m.min_shared_prefix = 16
    shared, t_shared = timed(lambda: m.generate(cot, progress=False))
    gen = {'answers': len(cot), 'max_tokens': 48, 'answers_per_s_before': len(cot)/t_whole, 'answers_per_s_after': len(cot)/t_shared,
           'ratio': t_whole/t_shared, 'same_texts': shared == whole}
    print(f"phi chain-of-thought generation, {len(cot)} answers of <= 48 tokens: {gen['answers_per_s_before']:.2f} -> "
          f"{gen['answers_per_s_after']:.2f} answers/s ({gen['ratio']:.2f}x); same texts: {gen['same_texts']}")
    return {'gpv_prompt1_relevance': gpv, 'phi_score_only': phi, 'phi_cot_generation': gen}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--sentences', type=int, default=8); ap.add_argument('--completions', type=int, default=8)
    a = ap.parse_args(); record('bench_prefix_groups', main(a.sentences, a.completions), vars(a))
