"The openai backend against a real OpenAI-compatible server on localhost: llama.cpp serving the embedded SmolLM2 GGUF."
import json, os, subprocess, sys, threading, time, urllib.request
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
    proc = subprocess.Popen([sys.executable, '-m', 'llama_cpp.server', '--model', str(embedded_path('smollm2')),
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
    p = m.score_labels([ask('Is Paris the capital of France? Answer yes or no.'), 'Q: Is Paris in France?\nA:'], ['yes', 'no'])
    assert p.shape == (2, 2) and np.allclose(p.sum(1), 1)
    assert p[0, 0] > 0.5                                           # SmolLM2 knows this one
    multi = m.score_labels(['Q: Is Paris in France?\nA:'], [' yes indeed', ' no way'])   # echo path, summed log-probs
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
