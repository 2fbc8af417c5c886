"""Throughput of GPV perception scoring on 2 CPU cores, measured in one run (target >= 200 perception-value pairs/s):
the offline scorer (calibrated bi-encoder relevance + cross-encoder valence of every pair: the worst case, where every
pair is relevant), its cross-encoder alone, and the embedded SmolLM2 scored zero-shot with Prompt 1 through batched
`score_labels`. Cache off, so every pair is computed.

    python bench/bench_scorer.py [--pairs 1000]
"""
import argparse, time
from valuestudy.cache import CallCache
from valuestudy.data import valuebench_items
from valuestudy.gpv import LLMScorer, SCHWARTZ_NAMES
from valuestudy.gpv_scorer import offline_scorer
from valuestudy.models import get_model

def rate(fn, pairs):
    t0 = time.perf_counter(); fn(pairs); return len(pairs)/(time.perf_counter() - t0)

def main(n):
    items = valuebench_items(['PVQ40', 'VSM13', 'LVI', 'NFCC2000']).item.tolist()
    values = list(SCHWARTZ_NAMES.values())
    pairs = [(s, v) for s in items for v in values][:n]
    off = CallCache(':memory:', mode='off')
    scorer = offline_scorer(cache=off)
    scorer.valence_model.batch_size = 128
    both = lambda ps: (scorer.relevance(ps), scorer.valence(ps))
    both(pairs[:64])                                                # warm-up
    r_off, r_rel, r_ce = rate(both, pairs), rate(scorer.relevance, pairs), rate(scorer.valence_model.probs, pairs)
    llm = LLMScorer(get_model('embedded/smollm2', cache=off, batch_size=16))
    m = min(len(pairs), 64); llm.relevance(pairs[:8])
    r_llm = rate(llm.relevance, pairs[:m])
    print(f"offline scorer, relevance + valence of every pair: {r_off:.0f} pairs/s over {len(pairs)} pairs (target >= 200)")
    print(f"  relevance bi-encoder alone: {r_rel:.0f} pairs/s; cross-encoder alone: {r_ce:.0f} pairs/s")
    print(f"SmolLM2-135M zero-shot relevance, batched score_labels: {r_llm:.1f} pairs/s over {m} pairs")
    print(f"ratio offline/SmolLM2: {r_off/r_llm:.1f}x")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--pairs', type=int, default=1000); main(ap.parse_args().pairs)
