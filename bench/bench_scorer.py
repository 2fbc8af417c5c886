"""Throughput of GPV perception scoring on 2 CPU cores, measured in one run:
the offline cross-encoder scorer (target >= 200 perception-value pairs/s) vs the embedded SmolLM2 scored zero-shot
with Prompt 1 through batched `score_labels`. Cache off, so every pair is computed.

    python bench/bench_scorer.py [--pairs 1000]
"""
import argparse, time
from valuestudy.cache import CallCache
from valuestudy.data import valuebench_items
from valuestudy.gpv import LLMScorer, SCHWARTZ_NAMES
from valuestudy.gpv_scorer import CrossEncoderScorer, train_scorer
from valuestudy.models import get_model

def rate(fn, pairs):
    t0 = time.perf_counter(); fn(pairs); return len(pairs)/(time.perf_counter() - t0)

def main(n):
    items = valuebench_items(['PVQ40', 'VSM13', 'LVI', 'NFCC2000']).item.tolist()
    values = list(SCHWARTZ_NAMES.values())
    pairs = [(s, v) for s in items for v in values][:n]
    off = CallCache(':memory:', mode='off')
    ce = CrossEncoderScorer(train_scorer(), cache=off, batch_size=128)
    ce.relevance(pairs[:64])                                        # warm-up
    r_ce = rate(ce.relevance, pairs)
    llm = LLMScorer(get_model('embedded/smollm2', cache=off, batch_size=16))
    m = min(len(pairs), 64); llm.relevance(pairs[:8])
    r_llm = rate(llm.relevance, pairs[:m])
    print(f"offline cross-encoder: {r_ce:.0f} pairs/s over {len(pairs)} pairs (target >= 200)")
    print(f"SmolLM2-135M zero-shot, batched score_labels: {r_llm:.1f} pairs/s over {m} pairs")
    print(f"ratio: {r_ce/r_llm:.1f}x")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--pairs', type=int, default=1000); main(ap.parse_args().pairs)
