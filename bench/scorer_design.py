"""The offline GPV scorer's design, chosen on the dev split in one run: each candidate is trained (once per machine, kept
in the models cache) and read on the 25 dev values and the dev arguments — never on the test split.

- valence (`train_scorer`): MiniLM with raw class counts (the loss of the previous recipe), class-balanced, class-balanced
  + ValueBench's relations (the default), and all-mpnet-base-v2 class-balanced + relations: accuracy, balanced accuracy,
  the two recalls (the "either" band off, then at odds 1.5, 2 and 3: its share and the plain decision's accuracy inside
  it; `either_odds_by_dev`: the widest band inside which the dev decisions are right no more often than a coin), and
  training time on this machine;
- relevance (`train_relevance`): the bi-encoder fine-tuned from MiniLM and from mpnet: accuracy on the dev values' pairs,
  and macro ROC AUC / F1 of GPV (sentences as perceptions) on the dev arguments beside TF-IDF trained on the train part.

    python bench/scorer_design.py [--skip-mpnet]
"""
import argparse, json, time
import numpy as np
from record import record
from valuestudy.cache import CallCache
from valuestudy.data import valuebench_items
from valuestudy.gpv.scorer import (RECIPE, SPLIT, train_scorer, train_relevance, scorer_info, scorer_split, split_pairs,
                                   CrossEncoderScorer, BiEncoderRelevance, OfflineScorer, valence_dev_report)

MINILM, MPNET = dict(base='embedded/minilm', lr=1e-4, batch_size=32), dict(base='embedded/mpnet', lr=3e-5, batch_size=16)
VALENCE = {'MiniLM, raw class counts, items only': dict(MINILM, class_weight='none', related=False),
           'MiniLM, class-balanced, items only': dict(MINILM, related=False),
           'MiniLM, class-balanced, + relations': MINILM,
           'mpnet, class-balanced, + relations': MPNET}
RELEVANCE = {'MiniLM bi-encoder': dict(base='embedded/minilm'), 'mpnet bi-encoder': dict(base='embedded/mpnet')}

def timed(train, recipe):
    t0 = time.perf_counter(); path = train(recipe=recipe, progress=True); return path, time.perf_counter() - t0

def valence_rows(candidates, dev):
    rows, off = [], CallCache(':memory:', mode='off')
    for name, recipe in candidates.items():
        path, wall = timed(train_scorer, recipe)
        info = scorer_info(path)
        p = CrossEncoderScorer(path, cache=off).probs(list(zip(dev.item, dev.value)))
        row = dict(candidate=name, model=path.name, train_pairs=info['train_pairs'], train_seconds=info['train_seconds'],
                   temperature=info['calibration']['temperature'], **valence_dev_report(p, dev.agreement, info['calibration']['temperature'], None))
        for odds in (1.5, 2, 3):
            band = valence_dev_report(p, dev.agreement, info['calibration']['temperature'], odds)
            row.update({f'odds{odds}_either': band['valence_either'], f'odds{odds}_accuracy': band['valence_accuracy'],
                        f'odds{odds}_balanced_accuracy': band['valence_balanced_accuracy'], f'odds{odds}_accuracy_inside_band': band['accuracy_inside_band']})
        coin = [o for o in (1.5, 2, 3) if row[f'odds{o}_accuracy_inside_band'] <= 50]   # NaN (an empty band) is not <= 50
        row['either_odds_by_dev'] = max(coin) if coin else None   # the widest band whose dev decisions are no better than a coin
        rows.append(row); print(json.dumps(row), flush=True)
    return rows

def relevance_rows(candidates, dev_pairs):
    from valuestudy.human.study import argument_parts, measure_arguments, argument_labels, scorer_metrics, macro_rows, argument_lines
    parts = argument_parts(); labels = argument_labels(parts['dev'])
    lines = macro_rows(scorer_metrics(labels, argument_lines(parts['dev'], parts['train'], parts['dev'], 'dev')))
    tfidf = lines[lines.scorer == 'TF-IDF trained on the train part'].iloc[0]
    valence = CrossEncoderScorer(train_scorer(), cache=CallCache(':memory:', mode='off'))
    rows = []
    for name, recipe in candidates.items():
        path, wall = timed(train_relevance, recipe)
        rel = BiEncoderRelevance(path, cache=CallCache(':memory:', mode='off'))
        acc = 100*float(((rel.relevance(list(zip(dev_pairs.item, dev_pairs.value))) > 0.5) == dev_pairs.relevant).mean())
        relevance, yes, _ = measure_arguments(parts['dev'], OfflineScorer(rel, valence), 'sentences', progress=False)
        m = macro_rows(scorer_metrics(labels, {name: (relevance, yes)})).iloc[0]
        row = dict(candidate=name, model=path.name, train_seconds=rel.info['train_seconds'], dev_values_relevance_accuracy=acc,
                   dev_arguments=len(parts['dev']), dev_arguments_macro_auc=float(m.roc_auc), dev_arguments_f1=float(m.f1),
                   always_yes_f1=float(m.always_yes_f1), tfidf_macro_auc=float(tfidf.roc_auc), tfidf_f1=float(tfidf.f1))
        rows.append(row); print(json.dumps(row), flush=True)
    return rows

def main(skip_mpnet=False):
    split = scorer_split(valuebench_items(), **SPLIT)
    dev_pairs = split_pairs(split, 'dev', int(SPLIT['seed']) + 1)
    dev = dev_pairs[dev_pairs.relevant == 1]
    pick = lambda c: {k: v for k, v in c.items() if not (skip_mpnet and 'mpnet' in k)}
    return {'dev_values': int(dev.value.nunique()), 'dev_relevant_pairs': len(dev),
            'dev_always_support_accuracy': 100*float((dev.agreement > 0).mean()),
            'valence': valence_rows(pick(VALENCE), dev), 'relevance': relevance_rows(pick(RELEVANCE), dev_pairs)}

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--skip-mpnet', action='store_true'); a = ap.parse_args()
    record('scorer_design', main(a.skip_mpnet), vars(a))
