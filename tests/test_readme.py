"README.md is generated from nbs/index.ipynb and maps every paper notebook."
import re, subprocess, sys
from conftest import ROOT

def test_readme_in_sync():
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def test_readme_maps_every_paper_notebook():
    text = (ROOT/'README.md').read_text()
    mapped = set(re.findall(r'`(nbs/papers/[^`]+\.ipynb)`', text))
    present = {str(p.relative_to(ROOT)) for p in (ROOT/'nbs'/'papers').glob('*/*.ipynb')}
    assert mapped == present, f"unmapped: {present - mapped}; missing notebooks: {mapped - present}"

def test_two_commands():
    assert 'make reproduce' in (ROOT/'README.md').read_text() and 'make test' in (ROOT/'README.md').read_text()
