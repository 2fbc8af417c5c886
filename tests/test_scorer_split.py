"The GPV scorer's split on the real ValueBench items: no held-out value or item text reaches training or calibration."
from valuestudy.data import valuebench_items
from valuestudy.gpv.scorer import scorer_split, split_pairs, leaks, value_key, item_key, SPLIT

def test_no_heldout_value_or_item_reaches_training(mirror):
    split = scorer_split(valuebench_items(), **SPLIT)
    assert leaks(split) == dict(values=[], items=[])
    trained = split_pairs(split, ['train', 'calibration'])
    for held in ('dev', 'test'):
        h = split_pairs(split, held)
        assert not set(h.item.map(item_key)) & set(trained.item.map(item_key))
        assert not set(h.value.map(value_key)) & set(trained.value.map(value_key))   # negatives come from the split too

def test_one_construct_under_two_spellings_is_one_value(mirror):
    split = scorer_split(valuebench_items(), **SPLIT)
    dwa = split[split.value_key == 'discomfort with ambiguity']
    assert set(dwa.value) == {'Discomfort With Ambiguity', 'Discomfort with Ambiguity'} and dwa.split.nunique() == 1

def test_split_sizes_and_curated_negatives(mirror):
    split = scorer_split(valuebench_items(), **SPLIT)
    assert split.groupby('split').value_key.nunique().to_dict() == {'test': 50, 'dev': 25, 'calibration': 25, 'train': 122}
    test = split_pairs(split, 'test')
    assert (test.negative_source[test.relevant == 0] == 'curated').sum() > 0 and len(test) == 2*(test.relevant == 1).sum()
