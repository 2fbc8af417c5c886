"The floors: the core and the shared prompts import no paper; each paper's package imports the core and the prompts, never the other paper (except through ValueLex's named bridge, `valuelex.gpv_bridge`)."
import re, subprocess, sys
import pytest
from conftest import ROOT

OTHER = {'valuelex': 'gpv', 'gpv': 'valuelex'}
BRIDGES = {'valuestudy.valuelex.gpv_bridge'}

def modules(folder, prefix):
    return [f'{prefix}.{p.stem}' for p in sorted(folder.glob('*.py')) if p.stem not in ('__init__', '_modidx')]

def imports_without(mods, blocked) -> subprocess.CompletedProcess:
    "Import `mods` in a fresh interpreter in which importing any of the `blocked` packages fails."
    code = (''.join(f"import sys; sys.modules[{b!r}] = None\n" for b in blocked)
            + f"import importlib\nfor m in {mods!r}: importlib.import_module(m)\n")
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT)

@pytest.mark.parametrize('paper', OTHER)
def test_a_paper_imports_without_the_other(paper):
    mods = [m for m in modules(ROOT/'valuestudy'/paper, f'valuestudy.{paper}') if m not in BRIDGES]
    assert len(mods) >= 4
    out = imports_without(mods, [f'valuestudy.{OTHER[paper]}'])
    assert out.returncode == 0, out.stderr[-2000:]

def test_the_core_imports_no_paper():
    out = imports_without(modules(ROOT/'valuestudy', 'valuestudy'), ['valuestudy.gpv', 'valuestudy.valuelex'])
    assert out.returncode == 0, out.stderr[-2000:]

def test_the_block_is_real():
    "The check can fail: the bridge does reach GPV when called."
    out = imports_without(['valuestudy.valuelex.gpv_bridge'], ['valuestudy.gpv'])
    assert out.returncode == 0                                   # importing it is fine (GPV is reached lazily) …
    code = ("import sys; sys.modules['valuestudy.gpv'] = None\n"
            "from valuestudy.valuelex.gpv_bridge import offline_phi_judge\noffline_phi_judge('offline', smoke=True)")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode != 0 and 'valuestudy.gpv' in out.stderr  # … calling it needs GPV

def test_only_the_config_reads_the_environment():
    "Run settings are arguments: `os.environ`/`getenv` appear in `valuestudy/config.py` alone (settings overrides, API keys)."
    import re
    readers = sorted(str(p.relative_to(ROOT)) for p in (ROOT/'valuestudy').rglob('*.py')
                     if p.name != '_modidx.py' and re.search(r'os\.environ|getenv', p.read_text()))
    assert readers == ['valuestudy/config.py'], readers

def test_providers_register_themselves():
    "The core names no provider module: each registers with @provider, and the package declares it as an entry point."
    import re
    from valuestudy.models import provider_names, provider_factory
    assert {'fake', 'hf', 'openai', 'embedded', 'scorer'} <= set(provider_names())
    assert not re.search(r'valuestudy\.gpv', (ROOT/'valuestudy'/'models.py').read_text())
    assert provider_factory('scorer').__module__ == 'valuestudy.gpv.scorer'

def test_llms_txt_lists_every_module():
    "Each library notebook exports its explanation (a `#| export` markdown cell), so nbdev's llms.txt lists its module."
    listed = set(re.findall(r'\[(valuestudy\.[\w.]+)\]', (ROOT/'nbs'/'llms.txt').read_text()))
    mods = {f"valuestudy.{'.'.join(p.relative_to(ROOT/'valuestudy').with_suffix('').parts)}"
            for p in (ROOT/'valuestudy').rglob('*.py') if not p.name.startswith('_')}
    assert mods - listed == set()
