"The teaching notebooks (nbs/tutorials/): each opens with a title and a one-line summary, ends with exercises, and checks their answers in a hidden solutions cell tagged `solution` (run by tests/test_library_notebooks.py)."
import json
import pytest
from conftest import ROOT

TUTORIALS = sorted((ROOT/'nbs'/'tutorials').glob('[0-9][0-9]_*.ipynb'))

def test_there_are_tutorials(): assert len(TUTORIALS) >= 5      # measuring, validity, circumplex, factor analysis, text to values

@pytest.mark.parametrize('nb', TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_a_tutorial_has_exercises_and_hidden_solutions(nb):
    cells = json.loads(nb.read_text())['cells']
    title = ''.join(cells[0]['source'])
    assert title.startswith('# Tutorial ') and '\n> ' in title, "a title, then a one-line summary"
    assert any(c['cell_type'] == 'markdown' and ''.join(c['source']).startswith('## Exercises') for c in cells)
    solutions = [c for c in cells if 'solution' in c['metadata'].get('tags', [])]
    assert len(solutions) == 1 and solutions[0] is cells[-1], "one solutions cell, the last"
    src = ''.join(solutions[0]['source'])
    assert src.startswith('#| hide') and src.count('assert ') >= 2, "hidden from the docs, checked by asserts"
