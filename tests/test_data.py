"The data layer: mirror copies, checksums, clear errors."
import shutil
import pandas as pd
import pytest
from valuestudy import data

def test_fetch_from_mirror_and_verify(tmp_path, mirror):
    p = data.fetch('salad_base_order', data_dir=tmp_path)
    assert p.read_text().startswith('Model,total')

def test_checksum_mismatch_in_mirror_is_refused(tmp_path, mirror):
    src = data.sources()['valuebench_items']
    bad = tmp_path/'mirror'/src['repo'].replace('/', '+')/src['commit']/src['path']
    bad.parent.mkdir(parents=True); shutil.copy(mirror/src['repo'].replace('/', '+')/src['commit']/src['path'], bad)
    with open(bad, 'a') as f: f.write('one more line\n')
    with pytest.raises(data.DataError, match='checksum mismatch'):
        data.fetch('valuebench_items', data_dir=tmp_path/'data', mirror=tmp_path/'mirror')

def test_absent_from_mirror(tmp_path):
    with pytest.raises(data.DataError, match='not in the mirror'):
        data.fetch('valuebench_items', data_dir=tmp_path, mirror=tmp_path/'empty')

def test_missing_column_names_the_file(tmp_path, monkeypatch):
    f = tmp_path/'value_orientation.csv'; f.write_text('questionnaire,item\nPVQ40,x\n')
    monkeypatch.setattr(data, 'fetch', lambda name, **kw: f)
    with pytest.raises(data.DataError, match=r"value_orientation.csv: missing column\(s\) \['value', 'agreement', 'question'\]"):
        data.valuebench_items()

def test_unknown_inventory(mirror):
    with pytest.raises(data.DataError, match='unknown inventory'):
        data.valuebench_items(['PVQ40', 'NOPE'])

def test_gpv_inventories_counts(mirror):
    items = data.valuebench_items(data.GPV_INVENTORIES)
    assert items.groupby('inventory').value.nunique().to_dict() == {'LVI': 14, 'NFCC2000': 5, 'PVQ40': 10, 'VSM13': 6}
