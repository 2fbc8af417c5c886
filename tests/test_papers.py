"Smoke runs of every paper notebook through `valuestudy reproduce --smoke`: artifacts exist, a warm re-run calls no model."
import json
import nbformat
import pytest
from valuestudy.reproduce import PAPERS, paper_notebooks, run_paper, run_notebook, NotebookFailed, main

@pytest.mark.parametrize('paper', [p for p in PAPERS if paper_notebooks(p)])
def test_paper_smoke_and_warm_rerun(paper, tmp_path, mirror, monkeypatch):
    monkeypatch.setenv('VALUESTUDY_CACHE', str(tmp_path/'calls.sqlite'))
    cold = run_paper(paper, smoke=True, figures_dir=tmp_path/'figs', progress=False)
    files = {p.name: p for p in (tmp_path/'figs').iterdir()}
    assert 'manifest.json' in files and cold['artifacts']
    for name in cold['artifacts']: assert files[name].stat().st_size > 0, name
    for nb in paper_notebooks(paper):      # every artifact notebook writes files named after itself
        if not nb.stem[:2].isdigit(): assert any(n.startswith(nb.stem) for n in files), nb.stem
    warm = run_paper(paper, smoke=True, figures_dir=tmp_path/'figs', progress=False)
    assert warm['calls']['misses'] == 0, warm['models']
    assert warm['artifacts'] == cold['artifacts']                   # byte-stable artifacts
    assert json.loads((tmp_path/'figs'/'manifest.json').read_text())['paper'] == paper

def test_failing_notebook_is_named(tmp_path, root):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1'), nbformat.v4.new_code_cell('1/0')])
    path = tmp_path/'broken.ipynb'; nbformat.write(nb, path)
    moved = root/'nbs'/'papers'/'_broken_test.ipynb'
    moved.write_text(path.read_text())
    try:
        with pytest.raises(NotebookFailed, match=r'_broken_test.ipynb failed in cell 2 \(ZeroDivisionError'):
            run_notebook(moved, tmp_path/'out.ipynb', {}, root)
    finally: moved.unlink()

def test_cli_rejects_unknown_notebook(capsys):
    assert main(['reproduce', '--paper', 'valuelex', '--only', 'fig99_nothing']) == 2
    assert 'No notebook' in capsys.readouterr().err
