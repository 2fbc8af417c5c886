"Every library notebook runs top to bottom: its cells are the unit tests of its module."
from pathlib import Path
import pytest
import nbdev.test as nbdev_test          # aliased so that pytest does not collect nbdev's test_nb
from conftest import ROOT, SKIP_FLAGS

NOTEBOOKS = sorted(p for p in (ROOT/'nbs').rglob('[0-9][0-9]_*.ipynb') if 'papers' not in p.parts)   # core, prompts, valuelex/, gpv/

def test_there_are_library_notebooks(): assert len(NOTEBOOKS) >= 8

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[str(p.relative_to(ROOT/'nbs').with_suffix('')) for p in NOTEBOOKS])
def test_library_notebook(nb, mirror):
    ok, secs = nbdev_test.test_nb(str(nb), skip_flags=SKIP_FLAGS, do_print=False)
    assert ok, f"{nb.name} failed (see the traceback above)"
