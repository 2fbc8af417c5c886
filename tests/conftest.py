import os, socket, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_FLAGS = ['notest', 'slow', 'llm', 'gpu']

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='session')
def root(): return ROOT

@pytest.fixture(scope='session')
def mirror():
    m = os.environ.get('VALUESTUDY_MIRROR') or str(ROOT.parent/'shared'/'mirror')
    if not Path(m).is_dir(): pytest.fail(f"No data mirror at {m}: set VALUESTUDY_MIRROR (CI does)")
    os.environ['VALUESTUDY_MIRROR'] = m
    return Path(m)
