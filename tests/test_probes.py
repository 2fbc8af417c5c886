"""The second round of adversarial probes (issue 36), each as a user meets it: the CLI, a fake OpenAI-compatible server on
localhost, real files. Each test failed on the code before its fix."""
import json, os, signal, sqlite3, subprocess, sys, textwrap, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT
from valuestudy import reproduce
from valuestudy.cache import CallCache, CacheError
from valuestudy.reproduce import main, run_paper
from test_reproduce_errors import notebook, fake_paper

@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv('VALUESTUDY_CACHE', str(tmp_path/'calls.sqlite'))
    monkeypatch.setenv('VALUESTUDY_RUNS_DIR', str(tmp_path/'runs'))
    return tmp_path

def one_line_error(capsys, code, got):
    err = capsys.readouterr().err.strip()
    mine = [l for l in err.splitlines() if l.startswith('valuestudy ')]     # (above it, a run's progress bar)
    assert got == code and len(mine) == 1 and err.endswith(mine[0]) and 'Traceback' not in err, (got, err)
    return mine[0]

def files_holding(folder, secret):
    return [str(p) for p in Path(folder).rglob('*') if p.is_file() and secret.encode() in p.read_bytes()]

# --- 1. --figures-dir names a folder of the user's ------------------------------------------------------------------
def test_figures_dir_keeps_the_users_own_files(isolated, monkeypatch, capsys):
    mine = isolated/'mypaper'
    mine.mkdir(); (mine/'thesis.tex').write_text('my thesis'); (mine/'refs.bib').write_text('@book{x}')
    users_results = isolated/'results'/'valuelex'               # where stage tables go beside --figures-dir
    users_results.mkdir(parents=True); (users_results/'notes.csv').write_text('mine')
    write = notebook(isolated/'a_fig.ipynb', "from pathlib import Path\nPath(figures_dir, 'a_fig.csv').write_text(VALUE)",
                     parameters="figures_dir = None\nVALUE = '1'")
    fake_paper(monkeypatch, isolated, write)
    for _ in range(2):                                          # a first run, and one over its own manifest
        assert main(['reproduce', '--paper', 'valuelex', '--figures-dir', str(mine)]) == 0
    assert (mine/'thesis.tex').read_text() == 'my thesis' and (mine/'refs.bib').read_text() == '@book{x}'
    assert (users_results/'notes.csv').read_text() == 'mine'
    assert 'thesis.tex' not in json.loads((mine/'manifest.json').read_text())['artifacts']
    assert main(['reproduce', '--paper', 'valuelex', '--only', 'a_fig', '--figures-dir', str(mine)]) == 0   # a partial run
    assert 'thesis.tex' not in json.loads((mine/'manifest.json').read_text())['artifacts'] and (mine/'thesis.tex').exists()
    (mine/'a_fig.csv').unlink(); (mine/'manifest.json').unlink(); (mine/'a_fig.csv').write_text('my own table')
    err = one_line_error(capsys, 2, main(['reproduce', '--paper', 'valuelex', '--figures-dir', str(mine)]))
    assert 'holds a_fig.csv' in err and 'which no earlier run wrote' in err and (mine/'a_fig.csv').read_text() == 'my own table'

# --- 6. publishing is all or nothing ----------------------------------------------------------------------------------
def test_a_failure_while_publishing_leaves_the_old_state_whole(isolated, monkeypatch):
    figs = isolated/'figs'
    nb = notebook(isolated/'00_stage.ipynb', "from pathlib import Path\nimport pandas as pd\n"
                  "for i in range(5): Path(figures_dir, f'f{i}.csv').write_text(VALUE)\n"
                  "Path(run['results_dir']).mkdir(parents=True, exist_ok=True); Path(run['results_dir'], 'r.csv').write_text(VALUE)",
                  parameters="figures_dir = None\nrun = None\nVALUE = 'old'")
    fake_paper(monkeypatch, isolated, nb)
    run_paper('valuelex', figures_dir=figs, overrides={'VALUE': 'old'}, progress=False)
    before = {p: p.read_bytes() for p in isolated.rglob('*') if p.is_file() and 'runs' not in p.parts and '.sqlite' not in p.name}
    real, calls = reproduce.shutil.copyfile, []
    def flaky(src, dst, *a, **k):
        calls.append(dst)
        if len(calls) == 4: raise OSError(28, 'No space left on device')
        return real(src, dst, *a, **k)
    monkeypatch.setattr(reproduce.shutil, 'copyfile', flaky)
    with pytest.raises(OSError, match='nothing was replaced'):
        run_paper('valuelex', figures_dir=figs, overrides={'VALUE': 'new'}, progress=False)
    after = {p: p.read_bytes() for p in isolated.rglob('*') if p.is_file() and 'runs' not in p.parts and '.sqlite' not in p.name}
    assert after == before                                      # results, figures and manifest as they were, no temporaries
    m = json.loads((figs/'manifest.json').read_text())
    assert m['artifacts'] and all(reproduce.sha256_file(figs/n) == h for n, h in m['artifacts'].items())

def test_a_destination_that_cannot_be_written_is_refused_before_the_run(isolated, monkeypatch, capsys):
    nb = notebook(isolated/'a_fig.ipynb', "open('/dev/null')", parameters="figures_dir = None")
    fake_paper(monkeypatch, isolated, nb)
    (isolated/'dangling').symlink_to(isolated/'gone')
    err = one_line_error(capsys, 2, main(['reproduce', '--paper', 'valuelex', '--figures-dir', str(isolated/'dangling')]))
    assert 'does not exist' in err and not (isolated/'runs').exists()          # refused before anything ran
    (isolated/'afile').write_text('x')
    err = one_line_error(capsys, 2, main(['reproduce', '--paper', 'valuelex', '--figures-dir', str(isolated/'afile'/'figs')]))
    assert 'is a file' in err and not (isolated/'runs').exists()

# --- 2 and 7. keys through other doors; typos in a spec ----------------------------------------------------------------
PLANTED = 'sk-planted-' + 'z' * 24

@pytest.mark.parametrize('panel', [
    f'openai/x?base_url=http://127.0.0.1:9/v1?key={PLANTED[3:]}',          # a key in the server address's own query
    f'openai/x?base_url=http://{PLANTED[3:]}@127.0.0.1:9/v1',               # a token as the address's user
    f'openai/x?api_key_env={PLANTED}',                                      # the key where its variable's name belongs
    f'openai/x?base_url=http://127.0.0.1:9/v1&api_key={PLANTED}&f=.csv',    # a spec that ends like a file name
    f'openai/x?headers=Bearer%20{PLANTED[3:]}',                             # a header
    'panel.csv'])                                                           # a key inside a panel file
def test_a_key_in_any_door_is_refused_and_written_nowhere(isolated, mirror, capsys, panel):
    if panel == 'panel.csv':
        (isolated/'panel.csv').write_text(f'model,size_b,level\nopenai/x?base_url=http://h/v1?key={PLANTED[3:]},1,aligned\n')
        panel = str(isolated/'panel.csv')
    err = one_line_error(capsys, 2, main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke',
                                           '--panel', panel, '--figures-dir', str(isolated/'figs')]))
    assert 'environment' in err and PLANTED[3:] not in err, err
    assert not (isolated/'runs').exists() and not (isolated/'figs').exists()          # nothing ran, nothing was written
    assert files_holding(isolated, PLANTED[3:]) == ([str(isolated/'panel.csv')] if (isolated/'panel.csv').exists() else [])

def test_a_typo_in_a_spec_option_is_an_error_naming_the_known_ones(isolated, mirror, capsys):
    err = one_line_error(capsys, 2, main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke',
                                           '--panel', 'openai/llama3?baseurl=http://gpu:8000/v1', '--figures-dir', str(isolated/'f')]))
    assert "unknown option 'baseurl'" in err and 'base_url' in err and 'max_retries' in err

# --- 3. a malformed reply is its request's failure only; Ctrl-C keeps what was paid for -----------------------------------
class FakeServer:
    "An OpenAI-compatible server on localhost: answers 'yes' with log-probabilities; a marker in the question breaks that one reply."
    def __init__(self, delay=0.0):
        self.received = self.answered = 0
        self.lock, server = threading.Lock(), self
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self): self.reply({'object': 'list', 'data': [{'id': 'm', 'object': 'model', 'created': 0, 'owned_by': 'x'}]})
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                with server.lock: server.received += 1
                time.sleep(delay)
                q = body['messages'][-1]['content']
                top = [{'token': t, 'logprob': lp, 'bytes': None} for t, lp in (('yes', -0.1), ('no', -2.5))]
                choice = {'index': 0, 'finish_reason': 'stop', 'message': {'role': 'assistant', 'content': 'yes'},
                          'logprobs': None if 'NOLOGPROBS' in q or not body.get('logprobs') else
                                      {'content': [{'token': 'yes', 'logprob': -0.1, 'bytes': None, 'top_logprobs': top}]}}
                self.reply({'id': 'c', 'object': 'chat.completion', 'created': 0, 'model': 'm',
                            'choices': [] if 'EMPTY' in q else [choice]})
                with server.lock: server.answered += 1
            def reply(self, obj):
                out = json.dumps(obj).encode()
                self.send_response(200); self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(out))); self.end_headers(); self.wfile.write(out)
            def log_message(self, *a): pass
        self.srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = f'http://127.0.0.1:{self.srv.server_port}/v1'
    def close(self): self.srv.shutdown()

def ask(s): return [{'role': 'user', 'content': s}]

def test_a_reply_without_choices_loses_only_itself(tmp_path):
    from valuestudy.models import get_model, ModelCallsFailed
    srv = FakeServer()
    m = get_model(f'openai/m?base_url={srv.url}&max_retries=0', cache=CallCache(tmp_path/'c.sqlite'))
    with pytest.raises(ModelCallsFailed, match='1 of 7 generate calls failed.*no choices'):
        m.generate([{'messages': ask(f'q{i}' + (' EMPTY' if i == 3 else '')), 'max_tokens': 4} for i in range(7)])
    assert len(CallCache(tmp_path/'c.sqlite')) == 6
    with pytest.raises(ModelCallsFailed, match='1 of 5 score_labels calls failed.*top_logprobs'):
        m.score_labels([ask(f'p{i}' + (' NOLOGPROBS' if i == 2 else '')) for i in range(5)], ['yes', 'no'])
    assert len(CallCache(tmp_path/'c.sqlite')) == 6 + 4
    srv.close()

def test_a_reply_without_choices_through_the_cli_is_one_line(isolated, capsys):
    srv = FakeServer()
    (isolated/'t.csv').write_text('text\n' + ''.join(f'I help my neighbour number {i}{" EMPTY" if i == 5 else ""}.\n' for i in range(8)))
    (isolated/'values.csv').write_text('value\nBenevolence\n')
    code = main(['measure', str(isolated/'t.csv'), '--parser', 'sentences',
                 '--scorer', f'openai/m?base_url={srv.url}&max_retries=0', '--values', str(isolated/'values.csv')])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 2 and 'ModelCallsFailed' in err and '1 of 8' in err and 'IndexError' not in err, err
    assert len(CallCache(isolated/'calls.sqlite')) >= 7
    srv.close()

INTERRUPTED_RUN = """
import sys
from valuestudy.cache import CallCache
from valuestudy.models import get_model, Interrupted
m = get_model(sys.argv[1], cache=CallCache(sys.argv[2]))
try: m.generate([{'messages': [{'role': 'user', 'content': f'q{i}'}], 'max_tokens': 4} for i in range(40)])
except Interrupted as e: print(e, file=sys.stderr); sys.exit(130)
"""

def interrupt_when_busy(proc, srv, at=3):
    t0 = time.time()
    while srv.received < at and time.time() - t0 < 120: time.sleep(0.05)
    assert srv.received >= at, proc.communicate()
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=120)

def test_ctrl_c_sends_nothing_more_and_keeps_every_answer_that_arrived(tmp_path):
    srv = FakeServer(delay=0.5)
    spec = f'openai/m?base_url={srv.url}&max_concurrency=4&batch_size=40'
    proc = subprocess.Popen([sys.executable, '-c', INTERRUPTED_RUN, spec, str(tmp_path/'c.sqlite')], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = interrupt_when_busy(proc, srv)
    time.sleep(1.0)
    assert proc.returncode == 130 and 'run the same command again to resume' in err and 'Traceback' not in err, err
    assert srv.received < 12                                     # the queued requests were never sent ...
    assert len(CallCache(tmp_path/'c.sqlite')) == srv.answered == srv.received   # ... and every answer sent is cached
    srv.close()

def test_ctrl_c_during_a_paper_run_reaches_the_notebook_and_keeps_its_answers(tmp_path):
    "The kernel runs in a session of its own; Ctrl-C at the terminal must still stop its calls and keep what arrived."
    srv = FakeServer(delay=0.5)
    nb = notebook(tmp_path/'00_calls.ipynb', "from valuestudy.run import open_run\nr = open_run('valuelex', run, figures_dir=figures_dir)\n"
                  "m = r.model(SPEC)\nm.generate([{'messages': [{'role': 'user', 'content': f'q{i}'}], 'max_tokens': 4} for i in range(40)])",
                  parameters="figures_dir = None\nrun = None\nSPEC = None")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from valuestudy import reproduce
        reproduce.paper_notebooks = lambda paper, only=None: [Path({str(nb)!r})]
        reproduce.declared_parameters = lambda nbs: {{'figures_dir', 'run', 'smoke', 'panel'}}
        reproduce.check_declared = lambda o, d: None
        orig = reproduce.run_paper
        reproduce.run_paper = lambda paper, **kw: orig(paper, **dict(kw, overrides={{'SPEC': {f'openai/m?base_url={srv.url}&max_concurrency=4&batch_size=40'!r}}}))
        sys.exit(reproduce.main(['reproduce', '--paper', 'valuelex', '--figures-dir', {str(tmp_path/'figs')!r}]))
    """)
    env = dict(os.environ, VALUESTUDY_CACHE=str(tmp_path/'calls.sqlite'), VALUESTUDY_RUNS_DIR=str(tmp_path/'runs'))
    proc = subprocess.Popen([sys.executable, '-c', script], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = interrupt_when_busy(proc, srv)
    time.sleep(1.0)
    last = err.strip().splitlines()[-1]
    assert proc.returncode == 130 and 'resume' in last and 'Traceback' not in err, err
    assert srv.received < 12
    cached = sqlite3.connect(tmp_path/'calls.sqlite').execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    assert cached == srv.answered == srv.received
    srv.close()

# --- 4. refusals and other scales are not ratings ------------------------------------------------------------------------
def test_refusals_and_other_scales_are_not_ratings():
    from valuestudy.gpv.study import parse_likert
    from valuestudy.valuelex.judge import parse_phi, PhiParseError
    for text in ['As an AI language model (GPT-4), I cannot rate myself.', 'I am Llama 2, a language model, and cannot rate.',
                 'I cannot give a number on this 6-point scale.']:
        assert parse_likert(text)[1] == 'refusal', (text, parse_likert(text))
    assert parse_likert('3 on a scale of 1 to 10')[1] == 'invalid'
    for text in ['Score: 3 (out of 10)', 'Score: 3 of 10', 'Score: 3 on a 10-point scale']:
        with pytest.raises(PhiParseError): parse_phi(text)

# --- 8. an old cache opened by several processes at once ----------------------------------------------------------------
OPEN_CACHE = "import sys; from valuestudy.cache import CallCache; c = CallCache(sys.argv[1]); c.record_usage('r', 'm', '1', 'op', 1, 0, 0)"

def test_an_old_cache_is_migrated_once_when_processes_open_it_together(tmp_path):
    for trial in range(3):
        path = tmp_path/f'old{trial}.sqlite'
        db = sqlite3.connect(path)       # the schema before `invalid` and `seconds`
        db.executescript("CREATE TABLE calls (key TEXT PRIMARY KEY, op TEXT, model TEXT, request TEXT, response TEXT, seconds REAL);"
                         "CREATE TABLE usage (run_id TEXT, model TEXT, revision TEXT, op TEXT, hits INTEGER, misses INTEGER, "
                         "batches INTEGER, PRIMARY KEY (run_id, model, revision, op));"); db.close()
        procs = [subprocess.Popen([sys.executable, '-c', OPEN_CACHE, str(path)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
        errs = [p.communicate()[1] for p in procs]
        assert all(p.returncode == 0 for p in procs), [e for e in errs if e][:1]
        assert CallCache(path).usage('r')[0]['hits'] == 6

# --- 9. the texts a user names are the texts measured -------------------------------------------------------------------
def test_text_column_beside_a_text_column_and_a_nul_byte(tmp_path):
    from valuestudy.gpv.texts import read_texts
    (tmp_path/'t.csv').write_text('text,essay\nlabel,I help my neighbours.\nlabel,I want to win.\n')
    assert list(read_texts([tmp_path/'t.csv'], 'essay').text) == ['I help my neighbours.', 'I want to win.']
    (tmp_path/'n.csv').write_bytes(b'text\nI help\x00 my neighbours every weekend.\n')
    with pytest.raises(ValueError, match='NUL byte'): read_texts([tmp_path/'n.csv'])

# --- 10. errors that are one line -------------------------------------------------------------------------------------
def test_errors_are_one_line_naming_the_thing(isolated, mirror, capsys, monkeypatch):
    err = one_line_error(capsys, 2, main(['reproduce', '--paper', 'valuelex', '--only']))
    assert '--only needs' in err
    (isolated/'p.csv').write_text('model,size_b,level\nfake/a,inf,aligned\n')
    from valuestudy.valuelex.elicit import load_panel, PanelError
    with pytest.raises(PanelError, match="size_b 'inf'"): load_panel(str(isolated/'p.csv'))
    (isolated/'empty.csv').write_text('')
    err = one_line_error(capsys, 2, main(['measure', str(isolated/'empty.csv'), '--parser', 'sentences']))
    assert 'empty.csv' in err
    (isolated/'latin.txt').write_bytes('Ich helfe gern.'.encode('latin-1') + b'\xe4')
    err = one_line_error(capsys, 2, main(['measure', str(isolated/'latin.txt'), '--parser', 'sentences']))
    assert 'latin.txt' in err and 'UTF-8' in err

def test_a_cache_damaged_in_the_middle_is_one_error_naming_it(tmp_path):
    c = CallCache(tmp_path/'c.sqlite')
    c.put_many([(f'k{i}', {'op': 'generate', 'model': 'm', 'i': i}, {'text': 'x' * 2000}) for i in range(200)]); c.close()
    raw = bytearray((tmp_path/'c.sqlite').read_bytes())
    raw[len(raw)//2: len(raw)//2 + 8192] = b'\xff' * 8192          # the header survives, pages in the middle do not
    (tmp_path/'c.sqlite').write_bytes(bytes(raw))
    for f in tmp_path.glob('c.sqlite-*'): f.unlink()
    with pytest.raises(CacheError, match='c.sqlite'):
        damaged = CallCache(tmp_path/'c.sqlite', mode='replay')
        damaged.get_many([f'k{i}' for i in range(200)]); damaged.requests()

def test_replay_miss_names_the_request_in_its_first_line(tmp_path):
    from valuestudy.models import get_model
    m = get_model('fake/echo', cache=CallCache(tmp_path/'c.sqlite', mode='replay'))
    with pytest.raises(Exception) as e: m.generate([{'messages': ask('Which values matter to you?')}])
    first = str(e.value).splitlines()[0]
    assert 'Which values matter to you?' in first and 'fake/echo' in first, first

def test_replay_from_a_read_only_cache_is_one_error(tmp_path):
    "A cache SQLite will not write (a read-only file or mount; `query_only` makes the same refusal as root, whom modes do not stop)."
    c = CallCache(tmp_path/'c.sqlite'); c.put_many([('k', {'op': 'generate', 'model': 'm'}, {'text': 'x'})]); c.close()
    replay = CallCache(tmp_path/'c.sqlite', 'replay')
    replay._db.execute('PRAGMA query_only=1')
    assert replay.get_many(['k']) == {'k': {'text': 'x'}}                  # reading works ...
    with pytest.raises(CacheError, match='c.sqlite cannot be written.*writable'):
        replay.record_usage('r', 'm', '1', 'op', 1, 0, 0)                  # ... and the usage it records says what to do
