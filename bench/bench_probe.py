"""Speed of GPV's linear probe (Appendix D.4) on the published measurements: all 30 splits × 15 value-system
combinations × 3 tools trained as one array per tool, vs training the probes one at a time.

    python bench/bench_probe.py
"""
import time
import numpy as np
from record import record
from valuestudy.gpv.analysis import load_measurements
from valuestudy.gpv.probe import salad_safety, probe_value_systems, probe_features, stratified_splits, train_probes

def main():
    meas, safety = load_measurements(), salad_safety()
    t0 = time.perf_counter(); acc, _ = probe_value_systems(meas, safety, n_splits=30, epochs=1000); batched = time.perf_counter() - t0
    n_models = acc.groupby(['tool', 'systems', 'split']).ngroups
    X = probe_features(meas, 'GPV'); s = safety[X.index]
    mask = np.ones((1, X.shape[1])); splits = stratified_splits(s, 30)
    k = 10
    t0 = time.perf_counter()
    for i in range(k): train_probes(X, s, mask, [splits[i]], epochs=1000)
    one = (time.perf_counter() - t0)/k
    print(f"probes trained: {n_models} (3 tools × 15 combinations × 30 splits), 1000 epochs each")
    print(f"vectorized: {batched:.2f} s")
    print(f"one probe at a time: {one*1000:.1f} ms each → {one*n_models:.1f} s for all (extrapolated from {k})")
    print(f"ratio: {one*n_models/batched:.1f}x")
    return {'probes': n_models, 'epochs': 1000, 'seconds_vectorized': batched, 'seconds_one_at_a_time_extrapolated': one*n_models,
            'ratio': one*n_models/batched}

if __name__ == '__main__': record('bench_probe', main())
