"GPV published data: the transcription of Tables 11–19, the SALAD map, and the paper's Table 4 within 0.02."
import numpy as np
import pandas as pd
import pytest
from valuestudy.gpv import analysis as ga, probe
from valuestudy.data import fetch, published_table, beside_printed

@pytest.fixture(scope='module')
def meas(): return ga.load_measurements()

def test_shape(meas):
    assert len(meas) == 3*17*35
    counts = meas.groupby('tool').apply(lambda d: (d.model.nunique(), len(d[['inventory', 'value']].drop_duplicates())))
    assert counts.to_dict() == {t: (17, 35) for t in ['GPV', 'Self-report', 'ValueBench']}
    assert meas.groupby(['tool', 'inventory']).value.nunique().unstack().iloc[0].to_dict() == {'LVI': 14, 'NFCC2000': 5, 'PVQ40': 10, 'VSM13': 6}
    assert meas.groupby('source_table').size().to_dict() == {f'Table {n}': 35*(5 if n % 3 == 1 else 6) for n in range(11, 20)}
    assert int(meas[meas.tool == 'Self-report'].score.isna().sum()) == 43 and meas[meas.tool != 'Self-report'].score.notna().all()

@pytest.mark.parametrize('tool,model,inventory,value,score', [
    ('GPV', 'inte2', 'NFCC2000', 'Preference for Order and Structure', 0.28),      # Table 11
    ('GPV', 'Qw4B', 'LVI', 'Spirituality', 1.0),                                    # Table 11, a row without its leading tab
    ('GPV', 'Qw14B', 'VSM13', 'Power Distance', -0.55),                             # Table 12
    ('GPV', 'vic7b', 'LVI', 'Loyalty to Family or Group', -1.0),                    # Table 13
    ('GPV', 'gpt3.5', 'PVQ40', 'Benevolence', 0.96),                                # Table 13
    ('Self-report', 'inte2', 'NFCC2000', 'Preference for Order and Structure', 0.71),  # Table 14
    ('Self-report', 'ge2b', 'NFCC2000', 'Preference for Predictability', None),     # Table 14: None
    ('Self-report', 'Qw72B', 'NFCC2000', 'Preference for Order and Structure', 1.0),   # Table 15
    ('Self-report', 'vic7b', 'NFCC2000', 'Preference for Order and Structure', None),  # Table 16
    ('ValueBench', 'inte2', 'NFCC2000', 'Preference for Order and Structure', 8.0),    # Table 17
    ('ValueBench', 'Qw0.5B', 'NFCC2000', 'Preference for Predictability', 3.25),     # Table 18
    ('ValueBench', 'vic7b', 'NFCC2000', 'Preference for Order and Structure', 4.75),   # Table 19
])
def test_spot_values(meas, tool, model, inventory, value, score):
    got = meas[(meas.tool == tool) & (meas.model == model) & (meas.inventory == inventory) & (meas.value == value)].score
    assert len(got) == 1
    assert np.isnan(got.item()) if score is None else np.isclose(got.item(), score)

def test_normalization_ranges(meas):
    n = ga.normalize_scores(meas)
    assert n.score_norm.min() >= -1 and n.score_norm.max() <= 1
    vb = n[(n.tool == 'ValueBench') & (n.model == 'inte2') & (n.value == 'Preference for Order and Structure')]
    assert np.isclose(vb.score_norm.item(), 8.0/5 - 1)
    with pytest.raises(ValueError, match='outside'):
        ga.normalize_scores(pd.DataFrame(dict(tool=['Self-report'], score=[3.0])))

def test_bad_measurements_are_refused(tmp_path):
    f = tmp_path/'m.csv'; f.write_text('tool,inventory,value,model\nGPV,PVQ40,Power,x\n')
    with pytest.raises(ValueError, match=r"missing column\(s\) \['score'\]"): ga.load_measurements(f)
    f.write_text('tool,inventory,value,model,score\nGPT,PVQ40,Power,x,0.1\n')
    with pytest.raises(ValueError, match='unknown tool'): ga.load_measurements(f)

def test_all_17_map_to_salad(mirror):
    s = probe.salad_safety()
    board = pd.read_csv(fetch('salad_base_order')).set_index('Model').total
    names = published_table('gpv_salad_models').set_index('model')
    assert len(s) == 17 and s.notna().all()
    assert all(s[m] == board[names.salad_name[m]] for m in s.index)
    assert s['ge2b'] == board['gemma-2b-it'] and s['Qw0.5B'] == board['qwen1.5_0.5b'] and s['gpt3.5'] == board['GPT3.5 Turbo']

def test_table4_gpv_and_valuebench_match_the_paper(meas):
    cv = ga.construct_validity(meas, n_boot=100)
    printed = published_table('gpv_table4_printed').melt(id_vars='pair', var_name='tool', value_name='r')
    both = beside_printed(cv, printed, ['tool', 'pair'], 'r')
    assert both[both.tool.isin(['GPV', 'ValueBench'])].difference.abs().max() <= 0.02
