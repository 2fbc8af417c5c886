"Generate README.md from nbs/index.ipynb (nbdev's readme needs quarto, which these machines cannot install)."
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    "The README text: markdown cells verbatim, code cells fenced; nbdev's `> summary` kept as a quote."
    cells = json.loads(Path(nb_path).read_text())['cells']
    out = ['<!-- generated from nbs/index.ipynb by `make readme`: edit the notebook, not this file -->', '']
    for c in cells:
        src = ''.join(c['source']).strip('\n')
        if not src: continue
        out += [src if c['cell_type'] == 'markdown' else f'```python\n{src}\n```', '']
    return '\n'.join(out)

if __name__ == '__main__':
    text = render()
    if sys.argv[1:] == ['--check']: sys.exit(0 if (ROOT/'README.md').read_text() == text else 'README.md is stale: run make readme')
    (ROOT/'README.md').write_text(text)
