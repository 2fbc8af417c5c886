"A run publishes all its artifacts or none; every user error is one line and exit 2; `--cache-mode off` counts calls."
import json
import nbformat
import pytest
from valuestudy import reproduce
from valuestudy.reproduce import main, run_paper, NotebookFailed

def notebook(path, *cells, parameters=None):
    "A notebook of code cells; `parameters` (source) becomes a first cell tagged for papermill."
    cells = [nbformat.v4.new_code_cell(c) for c in cells]
    if parameters: cells.insert(0, nbformat.v4.new_code_cell(parameters, metadata={'tags': ['parameters']}))
    meta = {'kernelspec': {'name': 'python3', 'display_name': 'python3', 'language': 'python'}}
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=cells, metadata=meta)))
    return path

@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv('VALUESTUDY_CACHE', str(tmp_path/'calls.sqlite'))
    monkeypatch.setenv('VALUESTUDY_RUNS_DIR', str(tmp_path/'runs'))
    return tmp_path

def fake_paper(monkeypatch, tmp_path, *nbs):
    monkeypatch.setattr(reproduce, 'paper_notebooks', lambda paper, only=None: [n for n in nbs if not only or n.stem in only])

def test_failed_run_leaves_figures_as_they_were(isolated, monkeypatch):
    figs = isolated/'figs'
    write = notebook(isolated/'a_write.ipynb', "from pathlib import Path\nPath(figures_dir, 'x.csv').write_text(VALUE)",
                     parameters="figures_dir = None\nVALUE = None")
    fake_paper(monkeypatch, isolated, write)
    run_paper('valuelex', figures_dir=figs, overrides={'VALUE': 'old'}, progress=False)
    before = {p.name: p.read_bytes() for p in figs.iterdir()}
    assert before['x.csv'] == b'old' and 'x.csv' in json.loads(before['manifest.json'])['artifacts']
    crash = notebook(isolated/'b_crash.ipynb', '1/0')
    fake_paper(monkeypatch, isolated, write, crash)
    with pytest.raises(NotebookFailed, match='unchanged') as e:
        run_paper('valuelex', figures_dir=figs, overrides={'VALUE': 'new, but never finished'}, progress=False)
    assert {p.name: p.read_bytes() for p in figs.iterdir()} == before        # artifacts and manifest still agree
    staged = str(e.value).split('are in ')[-1].rstrip(')')
    assert open(f'{staged}/x.csv').read() == 'new, but never finished'     # the partial artifacts are kept aside

def test_dead_kernel_is_named_and_resumable(isolated, monkeypatch):
    die = notebook(isolated/'die.ipynb', 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)')
    fake_paper(monkeypatch, isolated, die)
    with pytest.raises(NotebookFailed, match='die.ipynb stopped: its kernel died.*run the same command again'):
        run_paper('valuelex', figures_dir=isolated/'figs', progress=False)

def test_user_errors_are_one_line_and_exit_2(isolated, capsys):
    (isolated/'afile').write_text('x')
    cases = [['--paper', 'valuelex', '--only', 'fig99_nothing'],
             ['--paper', 'valuelex', '--figures-dir', str(isolated/'afile')],
             ['--paper', 'valuelex', '--panel', 'gpt4']]
    for args in cases:
        assert main(['reproduce', *args]) == 2, args
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and 'Traceback' not in err, err

def test_paper_all_only_runs_the_paper_that_has_the_notebook(isolated, mirror, capsys):
    assert main(['reproduce', '--paper', 'all', '--only', '00_elicit', '--smoke', '--panel', 'fake/echo',
                 '--figures-dir', str(isolated/'figs')]) == 0
    out = capsys.readouterr().out
    assert out.startswith('valuelex: 1 notebooks') and 'gpv' not in out
    assert (isolated/'figs'/'results'/'valuelex'/'00_elicit_responses.csv').exists()        # a stage table: beside the figures
    assert not (isolated/'figs'/'valuelex'/'00_elicit_responses.csv').exists()

def test_cache_off_counts_the_calls_it_makes(isolated, mirror, capsys):
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--panel', 'fake/echo',
                 '--cache-mode', 'off', '--figures-dir', str(isolated/'figs')]) == 0
    m = json.loads((isolated/'figs'/'manifest.json').read_text())
    assert m['calls']['misses'] > 0 and m['calls']['hits'] == 0, m['calls']
    assert f"model calls: {m['calls']['misses']} made" in capsys.readouterr().out

def test_broken_panel_stops_with_a_user_error(isolated, mirror, capsys):
    (isolated/'panel.csv').write_text('model,size_b,level\n')
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--panel', str(isolated/'panel.csv'),
                 '--figures-dir', str(isolated/'figs')]) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]                    # (above it: the progress bar)
    assert last.startswith('valuestudy reproduce: ') and 'panel.csv: the panel lists no models' in last, err
    assert 'Traceback' not in err

def test_malformed_cache_file_is_named(isolated, mirror, capsys):
    (isolated/'calls.sqlite').write_text('not a database ' * 200)
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--panel', 'fake/echo',
                 '--figures-dir', str(isolated/'figs')]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert 'CacheError' in last and str(isolated/'calls.sqlite') in last and 'VALUESTUDY_CACHE' in last, last

def test_invalid_label_scores_are_missing_and_counted(tmp_path, monkeypatch):
    from valuestudy.cache import CallCache
    from valuestudy.models import get_model, use_run
    import numpy as np
    cache = CallCache(tmp_path/'c.sqlite')
    use_run(cache, 'run-x')
    m = get_model('fake/labels', cache=cache)
    prompts = [f'Q{i}' for i in range(40)]
    p, mass = m.score_labels(prompts, ['yes', 'no'], min_mass=0, with_mass=True)
    cut = float(np.median(mass))
    q = m.score_labels(prompts, ['yes', 'no'], min_mass=cut)
    low = mass < cut
    assert low.sum() > 0 and np.isnan(q[low]).all() and np.allclose(q[~low], p[~low])     # nothing renormalized from too little
    assert {u['op']: u['invalid'] for u in cache.usage('run-x')}['score_labels'] == int(low.sum())
    use_run()

def test_manifest_times_each_stage_and_the_cli_names_the_slowest(isolated, mirror, capsys):
    "Where the time goes: each notebook's wall time, its calls (hits, misses) and its seconds in model code."
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '01_lexicon', '--smoke', '--panel', 'fake/echo',
                 '--figures-dir', str(isolated/'figs')]) == 0
    m = json.loads((isolated/'figs'/'manifest.json').read_text())
    stages = {s['notebook']: s for s in m['stages']}
    assert list(stages) == ['00_elicit', '01_lexicon']
    for s in stages.values(): assert s['seconds'] > 0 and s['model_seconds'] >= 0 and s['model_seconds'] <= s['seconds'], s
    assert stages['00_elicit']['misses'] > 0                                  # elicitation called the model
    assert sum(s['misses'] for s in stages.values()) == m['calls']['misses']  # stages add up to the run
    assert sum(s['hits'] for s in stages.values()) == m['calls']['hits']
    out = capsys.readouterr().out
    assert 'slowest stages' in out and '00_elicit' in out, out

def test_an_override_no_notebook_takes_is_refused(isolated, mirror, capsys):
    "`--judge` with only 00_elicit would be silently ignored: refused in one line naming what the run's notebooks take."
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--judge', 'fake/echo',
                 '--figures-dir', str(isolated/'figs')]) == 2
    err = capsys.readouterr().err.strip()
    assert 'no notebook of this run takes judge' in err and 'panel' in err and len(err.splitlines()) == 1, err
    assert not (isolated/'figs').exists()
    with pytest.raises(ValueError, match='takes panle'):
        run_paper('valuelex', only=['fig2_value_system'], overrides={'panle': 'fake/echo'}, figures_dir=isolated/'figs', progress=False)

def test_artifact_notebooks_run_side_by_side_each_under_its_own_run_id(isolated, monkeypatch):
    "Stages run first, in order; artifact notebooks then run in worker processes, each counting its calls under its own stem."
    record = ("import time, json\nfrom pathlib import Path\nt0 = time.time(); time.sleep(SLEEP)\n"
              "Path(figures_dir, NAME + '.json').write_text(json.dumps([run['id'], t0, time.time()]))")
    def nb(stem, sleep): return notebook(isolated/f'{stem}.ipynb', record, parameters=f"figures_dir = None\nrun = None\nNAME = {stem!r}\nSLEEP = {sleep}")
    nbs = [nb('00_stage', 0), nb('a_fig', 3), nb('b_fig', 3)]
    fake_paper(monkeypatch, isolated, *nbs)
    m = run_paper('valuelex', figures_dir=isolated/'figs', progress=False, workers=2)
    seen = {p: json.loads((isolated/'figs'/f'{p}.json').read_text()) for p in ('00_stage', 'a_fig', 'b_fig')}
    for stem, (run_id, start, end) in seen.items(): assert run_id.endswith(f'/{stem}'), (stem, run_id)
    assert seen['00_stage'][2] <= min(seen['a_fig'][1], seen['b_fig'][1])       # the stage finished before either began
    assert seen['a_fig'][1] < seen['b_fig'][2] and seen['b_fig'][1] < seen['a_fig'][2]   # the two overlapped
    assert [s['notebook'] for s in m['stages']] == ['00_stage', 'a_fig', 'b_fig'] and m['seconds'] < sum(s['seconds'] for s in m['stages'])

def test_paper_all_records_the_code_state_read_before_the_first_paper(isolated, monkeypatch):
    "`--paper all`: the first paper's new manifest is a change in the tree; the second paper must not record it as edited code."
    states = iter([{'commit': 'abc', 'dirty': False}] + [{'commit': 'abc', 'dirty': True}]*5)
    monkeypatch.setattr(reproduce, 'git_state', lambda root=None: next(states))
    nb = notebook(isolated/'a_fig.ipynb', "from pathlib import Path\nPath(figures_dir, 'x.csv').write_text('1')",
                  parameters="figures_dir = None")
    fake_paper(monkeypatch, isolated, nb)
    assert main(['reproduce', '--paper', 'all', '--figures-dir', str(isolated/'figs')]) == 0
    for paper in ('valuelex', 'gpv'):
        assert json.loads((isolated/'figs'/paper/'manifest.json').read_text())['git'] == {'commit': 'abc', 'dirty': False}, paper

def test_a_full_run_drops_artifacts_no_notebook_writes_any_more(isolated, monkeypatch):
    "A table a notebook stopped writing (a group no longer factorable) must not stay beside the new artifacts."
    figs = isolated/'figs'
    write = notebook(isolated/'a_fig.ipynb', "from pathlib import Path\nfor n in NAMES.split(): Path(figures_dir, n).write_text('x')",
                     parameters="figures_dir = None\nNAMES = ''")
    other = notebook(isolated/'b_fig.ipynb', "from pathlib import Path\nPath(figures_dir, 'b_fig.csv').write_text('b')",
                     parameters="figures_dir = None")
    fake_paper(monkeypatch, isolated, write, other)
    run_paper('valuelex', figures_dir=figs, overrides={'NAMES': 'a_fig.csv a_fig_loadings_all.csv'}, progress=False)
    assert {'a_fig.csv', 'a_fig_loadings_all.csv', 'b_fig.csv'} <= {p.name for p in figs.iterdir()}
    m = run_paper('valuelex', figures_dir=figs, overrides={'NAMES': 'a_fig.csv'}, progress=False)
    assert not (figs/'a_fig_loadings_all.csv').exists() and 'a_fig_loadings_all.csv' not in m['artifacts']
    run_paper('valuelex', only=['a_fig'], figures_dir=figs, overrides={'NAMES': 'a_fig.csv'}, progress=False)
    assert (figs/'b_fig.csv').read_text() == 'b'                  # a partial run keeps what it did not run

def test_the_cache_mode_reaches_every_notebook_as_an_argument(isolated, mirror, capsys):
    "`--cache-mode replay` is passed to each notebook's `open_run` (no environment variable): on an empty cache it stops at the first call."
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--panel', 'fake/echo',
                 '--cache-mode', 'replay', '--figures-dir', str(isolated/'figs')]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert 'ReplayMiss' in last and '00_elicit' in last, last
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--panel', 'fake/echo',
                 '--figures-dir', str(isolated/'figs')]) == 0                       # live: the calls are made …
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--panel', 'fake/echo',
                 '--cache-mode', 'replay', '--figures-dir', str(isolated/'figs')]) == 0   # … and replay finds them

def test_only_says_which_stage_table_is_missing_before_running(isolated, mirror, capsys):
    "A notebook run alone whose declared stage tables no run has written: refused at once, naming the stage to run."
    assert main(['reproduce', '--paper', 'valuelex', '--only', 'fig3_value_orientations', '--smoke',
                 '--figures-dir', str(isolated/'figs')]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and '03_projective_judgements' in err and '--only 03_projective fig3_value_orientations' in err, err
    assert not (isolated/'figs').exists() and not (isolated/'runs').exists()          # nothing was run or written

def test_every_stage_read_is_declared():
    "Each paper notebook reads stage tables only through the run (`read_stage`), and each table it reads is declared."
    import re, json, tomllib
    from conftest import ROOT
    for paper in ('valuelex', 'gpv'):
        st = tomllib.loads((ROOT/'nbs'/'papers'/paper/'stages.toml').read_text())
        for nb in (ROOT/'nbs'/'papers'/paper).glob('*.ipynb'):
            code = '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')
            assert not re.search(r"read_csv\((out|figures_dir)/", code), f"{nb.name} reads a table from its figures folder"
            for t in re.findall(r"read_stage\('([0-9a-z_]+)'", code):
                assert t in st['reads'].get(nb.stem, []), f"{nb.name} reads {t} without declaring it in stages.toml [reads]"
