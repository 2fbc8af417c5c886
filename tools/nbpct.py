"""Convert between nbdev notebooks and light 'percent' scripts (a developer helper, no Jupyter needed).

    python tools/nbpct.py to-nb  nbs/src.pct.py nbs/01_cache.ipynb
    python tools/nbpct.py to-pct nbs/01_cache.ipynb /tmp/01_cache.pct.py

Cells start with `# %%` (code), `# %% [markdown]` (markdown) or `# %% [parameters]` (a papermill parameters cell).
Markdown lines are written as `# ` comments.
"""
import hashlib, json, re, sys
from pathlib import Path

_HDR = re.compile(r'^# %%(?: \[(markdown|parameters)\])?\s*$')

def pct_to_cells(text):
    "Split a percent script into (kind, source) pairs."
    cells, kind, buf = [], None, []
    def flush():
        if kind is None: return
        src = '\n'.join(buf).strip('\n')
        if kind == 'markdown': src = '\n'.join(l[2:] if l.startswith('# ') else l.lstrip('#') for l in src.split('\n'))
        cells.append((kind, src))
    for line in text.split('\n'):
        m = _HDR.match(line)
        if m:
            flush(); kind, buf = (m.group(1) or 'code'), []
        else: buf.append(line)
    flush()
    return cells

def to_nb(src, dst):
    "Write the notebook `dst` from the percent script `src` (cells whose source is unchanged keep their ids)."
    old = {}
    if Path(dst).exists():
        for c in json.loads(Path(dst).read_text())['cells']: old.setdefault(''.join(c['source']), c.get('id'))
    cells, used = [], set()
    parsed = pct_to_cells(Path(src).read_text())
    if not parsed:      # an empty script would silently empty the notebook (it happened once: nbs/08_reproduce)
        raise SystemExit(f"nbpct: {src} holds no cells; {dst} is left as it is")
    for kind, source in parsed:
        lines = source.split('\n'); lines = [l + '\n' for l in lines[:-1]] + [lines[-1]]
        cid = old.get(source) if old.get(source) not in used else None
        cid = cid or hashlib.sha1(f"{len(cells)}\n{source}".encode()).hexdigest()[:8]   # stable cell ids (nbformat 4.5)
        used.add(cid)
        if kind == 'markdown': cells.append(dict(cell_type='markdown', id=cid, metadata={}, source=lines))
        else:
            md = {'tags': ['parameters']} if kind == 'parameters' else {}
            cells.append(dict(cell_type='code', execution_count=None, id=cid, metadata=md, outputs=[], source=lines))
    nb = dict(cells=cells, metadata=dict(kernelspec=dict(display_name='python3', language='python', name='python3')),
              nbformat=4, nbformat_minor=5)
    Path(dst).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')

def to_pct(src, dst):
    "Write a percent script `dst` from the notebook `src`."
    out, cells = [], json.loads(Path(src).read_text())['cells']
    if not cells: raise SystemExit(f"nbpct: {src} has no cells; nothing written to {dst}")
    for c in cells:
        s = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            out += ['# %% [markdown]'] + ['# ' + l if l else '#' for l in s.split('\n')]
        else:
            tags = c.get('metadata', {}).get('tags', [])
            out += ['# %% [parameters]' if 'parameters' in tags else '# %%', s]
        out.append('')
    Path(dst).write_text('\n'.join(out))

if __name__ == '__main__':
    cmd, src, dst = sys.argv[1:4]
    {'to-nb': to_nb, 'to-pct': to_pct}[cmd](src, dst)
