"The cache contract: a SIGKILLed run resumes with exactly the missing calls; warm re-runs are free; two processes share a file."
import os, signal, sqlite3, subprocess, sys, time
import pytest
from valuestudy.cache import CallCache, ReplayMiss
from valuestudy.models import get_model

WORKER = r'''
import sys
from valuestudy.cache import CallCache
from valuestudy.models import get_model
cache_path, log, start, stop, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
m = get_model('fake/worker', cache=CallCache(cache_path), batch_size=4, delay=delay, log=log)
out = m.generate([{'prompt': f'Q{i}', 'temperature': 0.7, 'n': 2} for i in range(start, stop)])
assert all(len(o) == 2 for o in out)
print('calls', m.model_calls)
'''

def run_worker(tmp_path, log, start=0, stop=30, delay=0.0, wait=True):
    args = [sys.executable, '-c', WORKER, str(tmp_path/'calls.sqlite'), str(tmp_path/log), str(start), str(stop), str(delay)]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if wait:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    return p

def rows(tmp_path):
    with sqlite3.connect(tmp_path/'calls.sqlite') as db: return {k for k, in db.execute('SELECT key FROM calls')}

def logged(tmp_path, log):
    f = tmp_path/log
    return f.read_text().split() if f.exists() else []

def test_sigkill_resumes_with_exactly_the_missing_calls(tmp_path):
    p = run_worker(tmp_path, 'run1.log', delay=0.4, wait=False)       # 30 prompts × 2 samples = 60 calls, 15 batches
    deadline = time.time() + 120
    while time.time() < deadline:
        time.sleep(0.1)
        if (tmp_path/'calls.sqlite').exists():
            try:
                if len(rows(tmp_path)) >= 12: break
            except sqlite3.OperationalError: pass
    os.kill(p.pid, signal.SIGKILL); p.wait()
    before = rows(tmp_path)
    assert 12 <= len(before) < 60, f"kill came too late or too early: {len(before)} rows"
    run_worker(tmp_path, 'run2.log')
    second = logged(tmp_path, 'run2.log')
    after = rows(tmp_path)
    assert len(after) == 60
    assert len(second) == len(set(second)) == 60 - len(before)       # exactly the missing calls, once each
    assert set(second) == after - before
    run_worker(tmp_path, 'run3.log')                                  # warm re-run: zero model calls
    assert logged(tmp_path, 'run3.log') == []

def test_two_processes_share_one_cache_file(tmp_path):
    a = run_worker(tmp_path, 'a.log', 0, 40, wait=False)
    b = run_worker(tmp_path, 'b.log', 20, 60, wait=False)
    for p in (a, b):
        out, err = p.communicate(timeout=300); assert p.returncode == 0, err
    assert len(rows(tmp_path)) == 120                                   # 60 prompts × 2 samples, nothing lost
    assert set(logged(tmp_path, 'a.log')) | set(logged(tmp_path, 'b.log')) == rows(tmp_path)
    run_worker(tmp_path, 'c.log', 0, 60); assert logged(tmp_path, 'c.log') == []

def test_replay_miss_is_readable(tmp_path):
    live = get_model('fake/replay', cache=CallCache(tmp_path/'c.sqlite'))
    live.generate([{'prompt': 'seen'}])
    replay = get_model('fake/replay', cache=CallCache(tmp_path/'c.sqlite', mode='replay'))
    assert replay.generate([{'prompt': 'seen'}]) == live.generate([{'prompt': 'seen'}])
    with pytest.raises(ReplayMiss) as e: replay.generate([{'prompt': 'never asked before'}])
    assert 'never asked before' in str(e.value) and "cache_mode='replay'" in str(e.value)

def test_off_mode_writes_nothing(tmp_path):
    m = get_model('fake/off', cache=CallCache(tmp_path/'off.sqlite', mode='off'))
    m.generate([{'prompt': 'x'}]); m.generate([{'prompt': 'x'}])
    assert m.model_calls == 2 and len(CallCache(tmp_path/'off.sqlite')) == 0
