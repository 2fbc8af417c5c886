"""Speed of the model layer on the embedded SmolLM2 (2 CPU cores), as ratios measured in one run.

1. Label scoring: `score_labels` over a batch of (perception, value) prompts in one forward pass per batch, vs one
   `generate` call per pair reading the answer token (the naive way).
2. Cache: a warm re-run of the same batch vs the cold run.

    python bench/bench_models.py [--pairs 64]
"""
import argparse, tempfile, time
from pathlib import Path
from valuestudy.cache import CallCache
from valuestudy.models import get_model
from record import record

VALUES = ['Achievement', 'Benevolence', 'Conformity', 'Hedonism', 'Power', 'Security', 'Self-direction', 'Stimulation']
TEXTS = ['I always help my neighbours when they need it.', 'Winning the competition matters more than anything to me.',
         'I like to follow the rules my parents taught me.', 'Trying new and exciting things makes life worth living.',
         'I want to be in charge of the team and make the decisions.', 'Keeping my family safe is my first priority.',
         'I make up my own mind about what to believe.', 'Having fun and enjoying good food is what I live for.']

def prompt(text, value):
    return [{'role': 'user', 'content': f'Perception: "{text}"\nIs this perception relevant to the value {value}? Answer yes or no.'}]

def main(pairs):
    prompts = [prompt(t, v) for t in TEXTS for v in VALUES][:pairs]
    cache = CallCache(Path(tempfile.mkdtemp())/'bench.sqlite')
    m = get_model('embedded/smollm2', cache=cache, batch_size=16)
    m.score_labels(prompts[:2], ['yes', 'no'])                   # warm up the weights (cached pair excluded below)
    t0 = time.perf_counter(); m.score_labels(prompts[2:], ['yes', 'no']); batched = time.perf_counter() - t0
    n = len(prompts) - 2
    naive_n = min(n, 16)
    def per_pair(max_tokens):
        t0 = time.perf_counter()
        for p in prompts[2:2+naive_n]: m.generate([{'messages': p, 'max_tokens': max_tokens}])
        return (time.perf_counter() - t0)/naive_n*n
    naive1 = per_pair(1)      # the cheapest per-pair call: one token, no answer text to parse
    naive = per_pair(8)       # the usual naive scorer: a short answer ("Yes, it is relevant.") parsed per pair
    t0 = time.perf_counter(); m.score_labels(prompts[2:], ['yes', 'no']); warm = time.perf_counter() - t0
    print(f"pairs scored: {n}")
    print(f"batched score_labels: {batched:.2f} s  ({n/batched:.1f} pairs/s)")
    print(f"one generate call per pair, 8-token answer: {naive:.2f} s (extrapolated from {naive_n})  ({n/naive:.1f} pairs/s)")
    print(f"one generate call per pair, 1 token: {naive1:.2f} s  ({n/naive1:.1f} pairs/s)")
    print(f"ratio batched vs per-pair generate (8-token answer): {naive/batched:.1f}x  (target >= 5x)")
    print(f"ratio batched vs per-pair generate (1 token): {naive1/batched:.1f}x")
    print(f"warm cache re-run: {warm*1000:.1f} ms; ratio cold/warm: {batched/warm:.0f}x  (target >= 100x)")
    return {'pairs': n, 'pairs_per_s_batched': n/batched, 'pairs_per_s_generate_8_tokens': n/naive, 'pairs_per_s_generate_1_token': n/naive1,
            'ratio_vs_generate_8_tokens': naive/batched, 'ratio_vs_generate_1_token': naive1/batched, 'target_ratio': 5,
            'warm_seconds': warm, 'ratio_cold_vs_warm': batched/warm, 'target_ratio_cold_vs_warm': 100}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--pairs', type=int, default=64)
    a = ap.parse_args(); record('bench_models', main(a.pairs), vars(a))
