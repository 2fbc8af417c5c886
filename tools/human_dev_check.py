"""GPV on the dev part of Touché23 arguments without parsing (issue 21 groundwork; the study notebooks will supersede it).

    python tools/human_dev_check.py whole sentences     # each argument one perception, or each sentence one

Prints macro ROC AUC of the max p(relevant) over an argument's perceptions, and F1 of the measurement rule (some
perception measured), beside always-yes. Reads the dev part only: the held-out part is never touched here."""
import time, sys, numpy as np, pandas as pd
from valuestudy.data import touche_arguments
from valuestudy.human.arguments import schwartz_labels, argument_text, argument_split, SCHWARTZ10
from valuestudy.human.baselines import value_metrics
from valuestudy.gpv.texts import measure_texts
args = touche_arguments(); dev = args[argument_split(args) == 'dev'].reset_index(drop=True)
Y = schwartz_labels(dev).set_index('argument_id')[SCHWARTZ10]
texts = dict(zip(dev.argument_id, argument_text(dev)))
for unit in sys.argv[1:]:
    t0 = time.time()
    scores, measured = measure_texts(texts, values=SCHWARTZ10, parser=unit, scorer='offline', progress=False)
    rel = measured.pivot_table(index='doc_id', columns='value', values='p_relevant', aggfunc='max').reindex(index=Y.index, columns=SCHWARTZ10)
    det = measured.assign(m=measured.measured.astype(float)).pivot_table(index='doc_id', columns='value', values='m', aggfunc='max').reindex(index=Y.index, columns=SCHWARTZ10)
    m_rel = value_metrics(Y.reset_index(drop=True), rel.reset_index(drop=True))
    m_det = value_metrics(Y.reset_index(drop=True), det.reset_index(drop=True))
    print(unit, f'{time.time()-t0:.0f}s', 'perceptions', measured.perception_id.nunique(), '| AUC (max p_relevant)', round(m_rel.roc_auc.iloc[-1],3),
          '| F1 (any perception measured)', round(m_det.f1.iloc[-1],3), '| always-yes F1', round(m_det.always_yes_f1.iloc[-1],3))
    print(m_rel[['value','prevalence','roc_auc']].round(3).to_string(index=False))
