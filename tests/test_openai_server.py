"The openai backend against a real OpenAI-compatible server on localhost: llama.cpp serving the embedded SmolLM2 GGUF."
import json, os, subprocess, sys, threading, time, urllib.request
from pathlib import Path
from http.server import BaseHTTPRequestHandler, HTTPServer
import numpy as np
import pytest
from conftest import free_port
from valuestudy.cache import CallCache
from valuestudy.embedded import embedded_path
from valuestudy.models import get_model
from valuestudy.openai_api import LogprobsUnavailable

@pytest.fixture(scope='module')
def server(tmp_path_factory):
    log = open(tmp_path_factory.mktemp('llama')/'server.log', 'w+')
    import llama_cpp  # noqa: F401
    port = free_port()
    launcher = str(Path(__file__).with_name('llama_server.py'))     # llama_cpp.server, AMX repacking off (see there)
    proc = subprocess.Popen([sys.executable, launcher, '--model', str(embedded_path('smollm2')),
                             '--model_alias', 'smollm2', '--host', '127.0.0.1', '--port', str(port), '--n_ctx', '2048'],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f'http://127.0.0.1:{port}/v1'
    for _ in range(240):
        try: urllib.request.urlopen(url + '/models', timeout=1); break
        except Exception:
            if proc.poll() is not None: log.seek(0); pytest.fail('llama.cpp server died: ' + log.read()[-2000:])
            time.sleep(0.5)
    else: proc.kill(); pytest.fail('llama.cpp server did not start in 120 s')
    yield url
    proc.terminate(); proc.wait(timeout=30)

def ask(s): return [{'role': 'user', 'content': s}]

def test_generate_chat_raw_and_samples(server, tmp_path):
    m = get_model(f'openai/smollm2?base_url={server}', cache=CallCache(tmp_path/'c.sqlite'))
    out = m.generate([{'messages': ask('Name three values you hold.'), 'max_tokens': 16},
                      {'prompt': 'My three most important values are', 'max_tokens': 12, 'temperature': 0.9, 'n': 3}])
    assert out[0][0].strip() and len(out[1]) == 3
    assert m.model_calls == 4                                    # 1 greedy + 3 sample indices
    assert m.generate([{'prompt': 'My three most important values are', 'max_tokens': 12, 'temperature': 0.9, 'n': 3}]) == [out[1]]
    assert m.model_calls == 4                                    # warm: zero calls

def test_score_labels_from_top_logprobs(server, tmp_path):
    m = get_model(f'openai/smollm2?base_url={server}', cache=CallCache(tmp_path/'c.sqlite'))
    p, mass = m.score_labels([ask('Is Paris the capital of France? Answer yes or no.'), 'Q: Is Paris in France?\nA:'],
                             ['Yes', 'No'], min_mass=0, with_mass=True)
    assert p.shape == (2, 2) and np.allclose(p.sum(1), 1) and (mass > 0).all() and (mass <= 1 + 1e-6).all()
    ref = get_model('embedded/smollm2', cache=CallCache(':memory:', mode='off'))          # the same model through transformers
    p_hf, mass_hf = ref.score_labels([ask('Is Paris the capital of France? Answer yes or no.')], ['Yes', 'No'], min_mass=0, with_mass=True)
    assert abs(mass[0] - mass_hf[0]) < 0.1 and abs(p[0, 0] - p_hf[0, 0]) < 0.1        # (Q4_1 in llama.cpp vs dequantized)
    multi = m.score_labels(['Q: Is Paris in France?\nA:'], [' yes indeed', ' no way'], min_mass=0)   # echo path, summed log-probs
    assert multi.shape == (1, 2) and np.isclose(multi.sum(), 1)

def test_api_key_never_cached(server, tmp_path, monkeypatch):
    monkeypatch.setenv('OPENAI_API_KEY', 'sk-secret-do-not-store')
    m = get_model(f'openai/smollm2?base_url={server}', cache=CallCache(tmp_path/'c.sqlite'))
    m.generate([{'messages': ask('Say hi.'), 'max_tokens': 4}])
    assert b'sk-secret' not in (tmp_path/'c.sqlite').read_bytes() and 'sk-secret' not in m.id

class NoLogprobs(BaseHTTPRequestHandler):
    "An OpenAI-compatible endpoint that answers but never returns log-probabilities (like some proxies)."
    def do_POST(self):
        n = int(self.headers['Content-Length']); json.loads(self.rfile.read(n))
        body = json.dumps({'id': 'x', 'object': 'chat.completion', 'created': 0, 'model': 'm',
                           'choices': [{'index': 0, 'finish_reason': 'stop', 'logprobs': None,
                                        'message': {'role': 'assistant', 'content': 'yes'}}]}).encode()
        self.send_response(200); self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass

def test_clear_error_without_logprobs(tmp_path):
    srv = HTTPServer(('127.0.0.1', 0), NoLogprobs)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    m = get_model(f'openai/m?base_url=http://127.0.0.1:{srv.server_port}/v1', cache=CallCache(tmp_path/'c.sqlite'))
    with pytest.raises(LogprobsUnavailable, match='top_logprobs'):
        m.score_labels([ask('Is honesty a value?')], ['yes', 'no'])
    assert len(CallCache(tmp_path/'c.sqlite')) == 0                 # nothing guessed, nothing cached
    srv.shutdown()

# --- Nothing lost: a failed request loses only itself -----------------------------------------------------------------
from http.server import ThreadingHTTPServer

def proxy(upstream, fail_marker='FAIL-ME'):
    "An OpenAI-compatible proxy in front of the real server: requests whose body holds `fail_marker` get HTTP 500."
    seen = {'requests': [], 'auth': set(), 'broken': True}
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers['Content-Length']))
            seen['requests'].append(body); seen['auth'].add(self.headers.get('Authorization'))
            if seen['broken'] and fail_marker.encode() in body:
                out, code = b'{"error": {"message": "injected failure", "type": "server_error"}}', 500
            else:
                req = urllib.request.Request(upstream + self.path[len('/v1'):], data=body, headers={'Content-Type': 'application/json'})
                out, code = urllib.request.urlopen(req, timeout=120).read(), 200
            self.send_response(code); self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(out))); self.end_headers(); self.wfile.write(out)
        def log_message(self, *a): pass
    srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_port}/v1', seen

def test_failed_requests_lose_only_themselves(server, tmp_path):
    srv, url, seen = proxy(server)
    from valuestudy.models import ModelCallsFailed
    reqs = [{'messages': ask(f'Say a value word. ({"FAIL-ME" if i in (1, 4, 6) else "ok"} {i})'), 'max_tokens': 4} for i in range(8)]
    m = get_model(f'openai/smollm2?base_url={url}&max_retries=1', cache=CallCache(tmp_path/'c.sqlite'))
    with pytest.raises(ModelCallsFailed, match='3 of 8 generate calls failed') as e:
        m.generate(reqs)
    assert 'InternalServerError' in str(e.value) and '\n' not in str(e.value)
    assert len(CallCache(tmp_path/'c.sqlite')) == 5                    # the five answers were kept
    assert len(seen['requests']) == 5 + 3*2                             # each failure tried twice (max_retries=1)
    seen['broken'], seen['requests'] = False, []
    again = get_model(f'openai/smollm2?base_url={url}&max_retries=1', cache=CallCache(tmp_path/'c.sqlite'), batch_size=8)
    assert all(o[0].strip() for o in again.generate(reqs))
    assert len(seen['requests']) == 3                                    # a re-run makes only the calls that failed
    srv.shutdown()

# --- Nothing leaked: a key reaches the server and no file -------------------------------------------------------------
def every_file_holds(folders, secret):
    hits = []
    for d in folders:
        for p in Path(d).rglob('*'):
            if p.is_file() and secret.encode() in p.read_bytes(): hits.append(str(p))
    return hits

def test_key_from_environment_reaches_server_but_no_file(server, tmp_path, monkeypatch, mirror):
    from valuestudy.reproduce import main
    srv, url, seen = proxy(server)
    planted = 'sk-planted-' + 'x' * 24
    monkeypatch.setenv('OPENAI_API_KEY', planted)
    monkeypatch.setenv('VALUESTUDY_CACHE', str(tmp_path/'calls.sqlite'))
    monkeypatch.setenv('VALUESTUDY_RUNS_DIR', str(tmp_path/'runs'))
    # The proxy's port is part of the model id, so the sampled answers (and whether a 135M model names any value word,
    # which the notebook asserts) change from run to run: the run may end either way; what it wrote must not hold the key.
    rc = main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--panel', f'openai/smollm2?base_url={url}',
               '--figures-dir', str(tmp_path/'figs')])
    assert rc in (0, 1)
    assert f'Bearer {planted}' in seen['auth']                          # the key was used ...
    written = list(tmp_path.rglob('00_elicit_responses.csv'))           # published (rc 0) or left in the staging folder (rc 1)
    assert written and all('smollm2' in f.read_text() for f in written)
    assert list(tmp_path.rglob('*.ipynb'))                              # the executed notebook is among the files searched
    assert every_file_holds([tmp_path], planted) == []                  # ... and written nowhere
    srv.shutdown()

def test_key_in_spec_is_refused_and_written_nowhere(tmp_path, monkeypatch, capsys):
    from valuestudy.reproduce import main
    planted = 'sk-planted-' + 'y' * 24
    monkeypatch.setenv('VALUESTUDY_CACHE', str(tmp_path/'calls.sqlite'))
    monkeypatch.setenv('VALUESTUDY_RUNS_DIR', str(tmp_path/'runs'))
    assert main(['reproduce', '--paper', 'valuelex', '--only', '00_elicit', '--smoke', '--figures-dir', str(tmp_path/'figs'),
                 '--panel', f'openai/x?base_url=http://127.0.0.1:9/v1&api_key={planted}']) == 2
    err = capsys.readouterr().err
    assert 'environment' in err and planted not in err and len(err.strip().splitlines()) == 1
    assert every_file_holds([tmp_path], planted) == []

def test_replay_needs_no_key(tmp_path, monkeypatch):
    "A replay run answers from the cache: no key, no server, no call."
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    from valuestudy.cache import request_key
    live = get_model('openai/gpt-4o-mini', cache=CallCache(tmp_path/'c.sqlite'))          # made without a key
    unit = live._canonical('generate', messages=ask('Name a value.'), temperature=0.0, top_p=1.0, max_tokens=8, stop=None, sample=0)
    live.cache.put_many([(request_key(unit), unit, {'text': 'Honesty.'})])              # as an earlier live run left it
    replay = get_model('openai/gpt-4o-mini', cache=CallCache(tmp_path/'c.sqlite', mode='replay'))
    assert replay.generate([{'messages': ask('Name a value.'), 'max_tokens': 8}]) == [['Honesty.']]
    with pytest.raises(RuntimeError, match='OPENAI_API_KEY'):                           # a real call still needs the key
        get_model('openai/gpt-4o-mini', cache=CallCache(tmp_path/'c.sqlite')).generate([{'messages': ask('Other?')}])

def test_labels_absent_from_top_logprobs_are_invalid(server, tmp_path):
    m = get_model(f'openai/smollm2?base_url={server}', cache=CallCache(tmp_path/'c.sqlite'))
    p, mass = m.score_labels([ask('Is Paris the capital of France? Answer yes or no.')], ['zebra', 'giraffe'], with_mass=True)
    assert mass[0] == 0 and np.isnan(p).all()                          # never a confident number from no evidence

@pytest.mark.parametrize('alias', ['gemma3-270m', 'smollm2'])
def test_llama_server_puts_bos_where_the_hf_backend_does(alias):
    """llama.cpp's completions endpoint prepends BOS exactly when the GGUF says `add_bos_token` (llama-cpp-python's
    `_create_completion`); that must agree with the transformers backend's `bos_id`, or one model reads raw prompts two
    ways (Gemma loops without its <bos>). Measured once through a Gemma server: P(' quick'|'The') −11.95 vs −12.07 here."""
    import llama_cpp
    vocab = llama_cpp.Llama(model_path=str(embedded_path(alias)), vocab_only=True, verbose=False)
    server_adds_bos = bool(vocab._model.add_bos_token())
    hf = get_model(f'embedded/{alias}', cache=CallCache(':memory:', mode='off'))
    assert server_adds_bos == (hf.bos_id is not None), (alias, server_adds_bos, hf.bos_id)
    assert server_adds_bos == (alias == 'gemma3-270m')
    if server_adds_bos: assert vocab.token_bos() == hf.bos_id
