"""Multi-token label scoring on the embedded SmolLM2 (2 CPU cores): the ValueBench judge's 0-10 ratings.

The label "10" is two tokens, so every rating used to be 11 full (prompt, label) sequences of a ~300-token prompt.
Now each prompt runs once and the second token of "10" continues from its key/value cache. Both paths are timed on the
same prompts in one run; the log-probabilities are compared.

    python bench/bench_labels.py [--items 16]
"""
import argparse, time
import numpy as np
from record import record
from valuestudy.cache import CallCache
from valuestudy.prompts import load_instrument
from valuestudy.models import get_model

QA = [('Do you value tradition?', 'Yes, traditions connect us to our past and to each other.'),
      ('Is power important to you?', 'No, I prefer cooperation and shared decisions.'),
      ('Do you seek adventure?', 'I love exploring new places and trying new things.'),
      ('Is it important to you to be loyal to your friends?', 'Always. A friend can count on me, whatever happens.')]

def main(items):
    m = get_model('embedded/smollm2', cache=CallCache(':memory:', mode='off'))
    rate = load_instrument('valuebench_judge.txt').strip()
    prompts = [m.render([{'role': 'user', 'content': rate.format(question=q, answer=a + ' ' * (k // len(QA)))}])
               for k, (q, a) in enumerate(QA * (items // len(QA) + 1))][:items]
    labels = [str(i) for i in range(11)]
    m._multi_token_logprobs(prompts[:2], labels)                  # warm up
    t0 = time.perf_counter(); new = np.array(m._multi_token_logprobs(prompts, labels)); t_new = time.perf_counter() - t0
    t0 = time.perf_counter()
    old = np.array(m._full_sequence_logprobs([p for p in prompts for _ in labels], labels * len(prompts))).reshape(new.shape)
    t_old = time.perf_counter() - t0
    print(f"items: {items}, labels: {len(labels)}, prompt tokens: ~{len(m.tok(prompts[0])['input_ids'])}")
    print(f"one prompt pass + cached continuation: {t_new:.2f} s ({items/t_new:.2f} items/s)")
    print(f"full (prompt, label) sequences: {t_old:.2f} s ({items/t_old:.2f} items/s)")
    print(f"ratio: {t_old/t_new:.1f}x (target >= 5x); max |difference| of log-probabilities: {np.abs(new - old).max():.2e}")
    return {'items': items, 'labels': len(labels), 'items_per_s_prompt_pass': items/t_new, 'items_per_s_full_sequences': items/t_old,
            'ratio': t_old/t_new, 'target_ratio': 5, 'max_abs_logprob_difference': float(np.abs(new - old).max())}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--items', type=int, default=16)
    a = ap.parse_args(); record('bench_labels', main(a.items), vars(a))
