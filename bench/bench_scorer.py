"""Throughput of GPV perception scoring on 2 CPU cores, measured in one run (target >= 200 perception-value pairs/s).

- pipeline: `gpv.measure` of the distinct perceptions of the GPV study and stories check (figures/gpv/02_*, 04_*; else
  ValueBench items) against the 10 Schwartz values, as the stories check runs it: relevance of every pair, valence of the pairs with
  p(relevant) > 0.5 (GPV's rule);
- worst case: relevance and valence of every pair (as if every pair were relevant), fp32 and int8 cross-encoder;
- the parts: the relevance bi-encoder and the valence cross-encoder alone;
- the embedded SmolLM2 scored zero-shot with Prompt 1 through batched `score_labels`.
Cache off, so every pair is computed.

    python bench/bench_scorer.py [--pairs 1000]
"""
import argparse, time
from record import record
from pathlib import Path
import pandas as pd
from valuestudy.cache import CallCache
from valuestudy.data import valuebench_items
from valuestudy.gpv.measure import LLMScorer, measure
from valuestudy.gpv.stories import SCHWARTZ_NAMES
from valuestudy.gpv.scorer import offline_scorer
from valuestudy.models import get_model

def seconds(fn, *args):
    t0 = time.perf_counter(); fn(*args); return time.perf_counter() - t0

def sentences():
    "Distinct perception texts for the pipeline run: the committed GPV perceptions when present, else ValueBench items."
    files = [f for f in (Path(__file__).parent.parent/'figures/gpv').glob('0[24]_*perceptions.csv')]
    if files:
        texts = pd.concat([pd.read_csv(f, keep_default_na=False).perception for f in sorted(files)]).drop_duplicates()
        source = 'distinct perceptions of ' + ', '.join(f.name for f in sorted(files))
    else: texts, source = valuebench_items(['PVQ40', 'VSM13', 'LVI', 'NFCC2000']).item.drop_duplicates(), 'ValueBench items'
    return pd.DataFrame(dict(perception_id=range(len(texts)), perception=texts.to_numpy())), source

def main(n):
    values = list(SCHWARTZ_NAMES.values())
    items = valuebench_items(['PVQ40', 'VSM13', 'LVI', 'NFCC2000']).item.tolist()
    pairs = [(s, v) for s in items for v in values][:n]
    fp32, int8 = offline_scorer(cache=CallCache(':memory:', mode='off')), offline_scorer(cache=CallCache(':memory:', mode='off'), quantize=True)
    both = lambda sc: (lambda ps: (sc.relevance(ps), sc.valence(ps)))
    both(fp32)(pairs[:64]); both(int8)(pairs[:64])                                  # warm-up
    percs, source = sentences()
    t0 = time.perf_counter(); grid = measure(percs, values, fp32); t_pipe = time.perf_counter() - t0
    rel_share = float((grid.p_relevant > 0.5).mean())
    r_pipe = len(grid)/t_pipe
    r_fp32, r_int8 = len(pairs)/seconds(both(fp32), pairs), len(pairs)/seconds(both(int8), pairs)
    r_rel = len(pairs)/seconds(fp32.relevance, pairs)
    r_ce, r_ce8 = len(pairs)/seconds(fp32.valence_model.probs, pairs), len(pairs)/seconds(int8.valence_model.probs, pairs)
    off = CallCache(':memory:', mode='off')
    llm = LLMScorer(get_model('embedded/smollm2', cache=off, batch_size=16))
    m = min(len(pairs), 64); llm.relevance(pairs[:8])
    r_llm = m/seconds(llm.relevance, pairs[:m])
    print(f"pipeline, gpv.measure of {len(percs)} perceptions ({source}) x {len(values)} Schwartz values: "
          f"{r_pipe:.0f} pairs/s over {len(grid)} pairs, {rel_share:.1%} relevant (target >= 200)")
    print(f"worst case, relevance + valence of every pair, {len(pairs)} pairs: fp32 {r_fp32:.0f} pairs/s, int8 {r_int8:.0f} pairs/s")
    print(f"  relevance bi-encoder alone: {r_rel:.0f} pairs/s; cross-encoder alone: fp32 {r_ce:.0f}, int8 {r_ce8:.0f} pairs/s")
    print(f"SmolLM2-135M zero-shot relevance, batched score_labels: {r_llm:.1f} pairs/s over {m} pairs")
    print(f"ratios: pipeline/SmolLM2 {r_pipe/r_llm:.0f}x, worst case fp32/SmolLM2 {r_fp32/r_llm:.0f}x, int8/fp32 cross-encoder {r_ce8/r_ce:.2f}x")
    return {'pipeline_pairs': len(grid), 'pipeline_source': source, 'pipeline_pairs_per_s': r_pipe, 'target_pipeline_pairs_per_s': 200,
            'share_relevant': rel_share, 'worst_case_pairs': len(pairs), 'worst_case_pairs_per_s_fp32': r_fp32,
            'worst_case_pairs_per_s_int8': r_int8, 'relevance_bi_encoder_pairs_per_s': r_rel, 'cross_encoder_pairs_per_s_fp32': r_ce,
            'cross_encoder_pairs_per_s_int8': r_ce8, 'smollm2_zero_shot_pairs_per_s': r_llm,
            'ratio_pipeline_vs_smollm2': r_pipe/r_llm, 'ratio_worst_case_vs_smollm2': r_fp32/r_llm, 'ratio_int8_vs_fp32': r_ce8/r_ce}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--pairs', type=int, default=1000); a = ap.parse_args(); record('bench_scorer', main(a.pairs), vars(a))
