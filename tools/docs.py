"""Build the documentation site offline: `make docs` → `_docs/index.html` (or `python tools/docs.py [--out DIR]`).

What a reader finds there: the README as the landing page; every library notebook and tutorial *executed*, with its
examples' outputs (cells as the tests run them: the same skip flags); every paper notebook with the outputs its
committed run kept (`figures/<paper>/<stem>.ipynb`; else those of the last full run in `runs/` of the same code), followed by
the artifacts the committed run wrote for it (figures inline, tables — the paper's numbers beside ours — inline,
CSV/JSON/PDF as downloads) and the run's manifest; the architecture; an API index. Page paths
follow nbdev's (`nbs/07_artifacts.ipynb` → `artifacts.html`, plus `artifacts.html.md` for LLMs), so the `Docs:` links
in the module docstrings name pages of this site.

Sphinx + myst-nb + sphinx-book-theme, pinned in `requirements-docs.txt`; nothing reaches the network. Executed
notebooks are kept under `<src>/.executed/`, keyed by the notebook's and the library's sha256, so a second build
executes only what changed."""
import argparse, hashlib, json, os, re, shutil, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
SKIP_FLAGS = ['notest', 'slow', 'llm', 'gpu']          # as tests/conftest.py: the cells the suite runs are the cells shown
from valuestudy.reproduce import PAPERS as RUNS, paper_notebooks   # the runs, and each one's notebooks in run order
TITLES = {'valuelex': 'ValueLex: the paper, reproduced', 'gpv': 'GPV: the paper, reproduced',
          'human': 'The human study: GPV on text people wrote'}
PAPERS = {p: TITLES.get(p, f'{p}: reproduced') for p in RUNS}     # every run `valuestudy reproduce` knows has its pages
SECTIONS = [('The core', lambda p: p.parent == NBS),
            ('ValueLex', lambda p: p.parent.name == 'valuelex' and 'papers' not in p.parts),
            ('GPV', lambda p: p.parent.name == 'gpv' and 'papers' not in p.parts),
            ('GPV on text people wrote', lambda p: p.parent.name == 'human' and 'papers' not in p.parts),
            ('Learning value psychometrics', lambda p: p.parent.name == 'tutorials')]

def page_of(nb: Path) -> str:
    "The site path of notebook `nb` without suffix, as nbdev names it: `nbs/gpv/23_scorer.ipynb` → `gpv/scorer`."
    from nbdev.config import nbpath2html
    return nbpath2html(nb.relative_to(NBS)).with_suffix('').as_posix()

def library_notebooks() -> list:
    "Library notebooks and tutorials: the ones the docs build executes."
    return sorted(p for p in NBS.rglob('[0-9][0-9]_*.ipynb') if 'papers' not in p.parts and '.ipynb_checkpoints' not in p.parts)

def sha256(*parts) -> str:
    h = hashlib.sha256()
    for p in parts: h.update(p if isinstance(p, bytes) else str(p).encode())
    return h.hexdigest()

def library_hash() -> str:
    "One hash of the generated library and the settings: an executed notebook is reused only while these are unchanged."
    files = sorted((ROOT/'valuestudy').rglob('*.py')) + [ROOT/'settings.ini', ROOT/'settings.schema.toml']
    return sha256(*(f.relative_to(ROOT).as_posix().encode() + f.read_bytes() for f in files))

# ---------------------------------------------------------------------------------------------------------- execution
def execute_notebook(nb_path: Path, out_path: Path):
    "Run `nb_path` as the tests do (nbdev's processor and shell, in the notebook's folder) and write it with its outputs."
    from nbdev.process import NBProcessor
    from nbdev.test import _skip_cell
    from execnb.shell import CaptureShell
    from fastcore.nbio import write_nb
    from fastcore.xtras import working_directory
    os.environ['IN_TEST'] = '1'
    nb = NBProcessor(nb_path, rm_directives=False, process=True).nb
    shell = CaptureShell(nb_path)
    with working_directory(nb_path.parent):
        shell.run_all(nb, exc_stop=True, preproc=_skip_cell(nb, SKIP_FLAGS, None), cell_timeout=600)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, out_path)

def executed(notebooks: list, store: Path, jobs: int = 2) -> dict:
    "{notebook: executed copy}, running each in its own process (`jobs` at a time) unless its copy is current."
    lib, todo, done = library_hash(), [], {}
    for nb in notebooks:
        key = sha256(lib, nb.read_bytes())[:16]
        out = store/f"{page_of(nb)}.{key}.ipynb"
        done[nb] = out
        if not out.exists(): todo.append((nb, out))
    def run(job):
        nb, out = job
        for old in out.parent.glob(f"{Path(page_of(nb)).name}.*.ipynb"): old.unlink()
        t = time.time()
        r = subprocess.run([sys.executable, __file__, '--execute', str(nb), str(out)], capture_output=True, text=True)
        if r.returncode: return nb, (r.stderr.strip().splitlines() or ['(no message)'])[-1]
        print(f"  executed {nb.relative_to(ROOT)} ({time.time() - t:.0f} s)", flush=True)
        return nb, None
    if todo: print(f"executing {len(todo)} of {len(notebooks)} notebooks ({jobs} at a time)", flush=True)
    with ThreadPoolExecutor(jobs) as pool: failures = [(nb, e) for nb, e in pool.map(run, todo) if e]
    if failures:
        nb, err = failures[0]
        sys.exit(f"docs: {nb.relative_to(ROOT)} failed to run ({err}); run `pytest tests/test_library_notebooks.py -k "
                 f"{nb.stem}` to see the traceback")
    return done

# ------------------------------------------------------------------------------------------------------ page content
CODE_PATH = re.compile(r'`(nbs/[\w/.-]+?\.ipynb)`')

def link_paths(text: str, here: str, pages: dict) -> str:
    "Code spans naming a notebook (`` `nbs/gpv/23_scorer.ipynb` ``) become links to its page, relative to page `here`."
    def sub(m):
        target = pages.get(m.group(1))
        if target is None: return m.group(0)
        return f"[{m.group(0)}]({os.path.relpath(target + '.ipynb', Path(here).parent.as_posix() or '.')})"
    text = CODE_PATH.sub(sub, text)
    return re.sub(r'`ARCHITECTURE\.md`', lambda m: f"[{m.group(0)}]({os.path.relpath('architecture.md', Path(here).parent.as_posix() or '.')})", text)

def directives(src: str) -> set:
    return {l[3:].split(':')[0].split()[0] for l in src.splitlines() if l.startswith('#| ') and l[3:].strip()}

def page_cells(cells: list, here: str, pages: dict) -> list:
    "Cells as a reader sees them: `#|` lines dropped, `#| hide` cells removed (a solutions cell folded, not removed)."
    out = []
    for c in cells:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        tags = list(c.get('metadata', {}).get('tags', []))
        d = directives(src)
        if 'hide' in d: tags.append('hide-cell' if 'solution' in tags else 'remove-cell')
        src = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip('\n')
        if not src.strip(): continue
        if c['cell_type'] == 'markdown': src = link_paths(src, here, pages)
        cell = dict(c, source=src, metadata=dict(c.get('metadata', {}), tags=tags))
        if c['cell_type'] == 'code':
            cell.setdefault('outputs', []); cell.setdefault('execution_count', None)
            cell['outputs'] = [o for o in cell['outputs'] if not (o.get('output_type') == 'stream' and o.get('name') == 'stderr')]
        out.append(cell)
    return out

def markdown_cell(text: str) -> dict: return {'cell_type': 'markdown', 'metadata': {}, 'source': text}

def write_page(cells: list, path: Path):
    "A staged notebook page: `cells`, with a Python kernelspec so myst-nb knows its lexer."
    meta = {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'},
            'language_info': {'name': 'python'}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({'cells': cells, 'metadata': meta, 'nbformat': 4, 'nbformat_minor': 5}, indent=1))

def page_markdown(cells: list) -> str:
    "The `.html.md` twin of a page (what nbdev's `Docs:` links name): markdown verbatim, code fenced, text outputs fenced."
    out = []
    for c in cells:
        if 'remove-cell' in c['metadata'].get('tags', []): continue
        if c['cell_type'] == 'markdown': out.append(c['source'])
        else:
            out.append(f"```python\n{c['source']}\n```")
            for o in c.get('outputs', []):
                text = o.get('text') or o.get('data', {}).get('text/markdown') or o.get('data', {}).get('text/plain')
                if text: out.append('```\n' + (''.join(text) if isinstance(text, list) else text).rstrip() + '\n```')
    return '\n\n'.join(out) + '\n'

# ------------------------------------------------------------------------------------------------- paper artifacts
def code_cells(cells: list) -> list:
    "A notebook's own code cells: papermill's injected parameters cell left out."
    return [c for c in cells if c['cell_type'] == 'code' and 'injected-parameters' not in c.get('metadata', {}).get('tags', [])]

def same_code(a: list, b: list) -> bool:
    "Whether two copies of a notebook (their cells) hold the same code."
    source = lambda cells: [''.join(c['source']) for c in code_cells(cells)]
    return source(a) == source(b)

def last_execution(nb: Path, runs_dir: Path = ROOT/'runs'):
    """The newest copy of paper notebook `nb` that `valuestudy reproduce` executed under `runs_dir` — a full run (not
    smoke), finished without an exception, of the same code as `nb` today — or None (a fresh clone has no runs)."""
    paper, today, best = nb.parent.name, json.loads(nb.read_text())['cells'], None
    for copy in runs_dir.glob(f"{paper}-*/{nb.name}"):
        try: ran = json.loads(copy.read_text())
        except (OSError, ValueError): continue
        pm = ran.get('metadata', {}).get('papermill', {})
        if pm.get('exception') or pm.get('parameters', {}).get('smoke') is not False or not pm.get('end_time'): continue
        if not same_code(ran['cells'], today): continue
        if best is None or pm['end_time'] > best[0]: best = (pm['end_time'], copy, ran)
    return None if best is None else (best[1], best[2])

def executed_outputs(nb: Path, runs_dir: Path = ROOT/'runs', figures_dir: Path = ROOT/'figures'):
    """(a line saying where they come from, cells) of the outputs to show for paper notebook `nb`: the copy its committed
    run kept (`figures/<paper>/<stem>.ipynb`) while the code is today's, else the newest full run in `runs_dir`, else None."""
    committed = figures_dir/nb.parent.name/nb.name
    if committed.exists():
        cells = json.loads(committed.read_text())['cells']
        if same_code(cells, json.loads(nb.read_text())['cells']):
            return f"*Outputs as the committed run executed this notebook (`figures/{nb.parent.name}/{nb.name}`).*", cells
    ran = last_execution(nb, runs_dir)
    if ran is None: return None
    end = ran[1]['metadata']['papermill']['end_time'][:19].replace('T', ' ')
    return (f"*Outputs as executed by `valuestudy reproduce` at {end} UTC ({ran[0].parent.name}), a run on this machine; "
            f"the artifacts at the end are the committed ones.*", ran[1]['cells'])

def artifact_owner(name: str, stems: list):
    "The notebook that wrote artifact `name`: the longest notebook stem it starts with, else the stage of its `NN_` prefix."
    owners = [s for s in stems if name.startswith(s + '_') or name.startswith(s + '.')]
    if owners: return max(owners, key=len)
    m = re.match(r'(\d\d)_', name)
    stage = [s for s in stems if m and s.startswith(m.group(1) + '_')]
    return stage[0] if len(stage) == 1 else None

def table_excerpt(table: str, name: str, rows: int = 40) -> str:
    "A markdown table as it reads on a page: whole up to `rows` rows, else its first `rows` and a pointer to the file."
    lines = table.strip().splitlines()
    if len(lines) <= rows + 2: return '\n'.join(lines)
    return '\n'.join(lines[:rows + 2]) + f"\n\n*The first {rows} of {len(lines) - 2} rows; all of them in `{name}` (below).*"

def artifact_cells(paper: str, names: list, here: str) -> list:
    "Markdown showing artifacts: each figure as an image, each table inline, every file a download."
    rel = lambda n: os.path.relpath(f"figures/{paper}/{n}", Path(here).parent.as_posix())
    cells, by_stem = [], {}
    for n in names: by_stem.setdefault(Path(n).stem, []).append(n)
    for stem, files in sorted(by_stem.items()):
        parts = [f"### `{stem}`"]
        for n in sorted(files):
            if n.endswith('.png'): parts.append(f"![{stem}]({rel(n)})")
        for n in sorted(files):
            if n.endswith('.md'): parts.append(table_excerpt((ROOT/'figures'/paper/n).read_text(), n))
        parts.append('Files: ' + ', '.join(f"{{download}}`{n} <{rel(n)}>`" for n in sorted(files)))
        cells.append(markdown_cell('\n\n'.join(parts)))
    return cells

def manifest_summary(paper: str) -> tuple:
    "(markdown lines about the committed run, {notebook: its stage entry}) from `figures/<paper>/manifest.json`."
    m = json.loads((ROOT/'figures'/paper/'manifest.json').read_text())
    stages = {s['notebook']: s for s in m.get('stages', [])}
    calls = m.get('calls', {})
    lines = [f"The artifacts below are the ones committed in `figures/{paper}/`, written by `valuestudy reproduce --paper {paper}`"
             f" at commit `{m['git']['commit'][:10]}`{' (with uncommitted changes)' if m['git'].get('dirty') else ''}"
             f"{' in a smoke run' if m.get('smoke') else ''}: {m.get('seconds', '?')} s, {calls.get('hits', 0):,} model calls "
             f"from the cache and {calls.get('misses', 0):,} made. Its manifest: {{download}}`manifest.json "
             f"<../../figures/{paper}/manifest.json>`.", '',
             '| model | revision | calls from cache | calls made |', '|---|---|---:|---:|']
    seen = {}
    for r in m.get('models', []):
        k = (r['model'], r.get('revision', ''))
        h, mi = seen.get(k, (0, 0)); seen[k] = (h + r.get('hits', 0), mi + r.get('misses', 0))
    lines += [f"| `{k[0]}` | `{k[1][:40]}` | {h:,} | {mi:,} |" for k, (h, mi) in sorted(seen.items())]
    return lines, stages

# ---------------------------------------------------------------------------------------------------------- staging
def stage(src: Path, jobs: int = 2, runs_dir: Path = ROOT/'runs') -> dict:
    "Write every page into `src`; return {'twins': {page: its cells, for its `.html.md`}, 'figures': {png: its page}}."
    for p in src.iterdir() if src.exists() else []:
        if p.name != '.executed': shutil.rmtree(p) if p.is_dir() else p.unlink()
    src.mkdir(parents=True, exist_ok=True)
    libs = library_notebooks()
    papers = {paper: paper_notebooks(paper) for paper in PAPERS}
    pages = {nb.relative_to(ROOT).as_posix(): page_of(nb) for nb in libs + [n for v in papers.values() for n in v]}
    runs = executed(libs, src/'.executed', jobs)
    twins = {}
    for nb in libs:
        here = page_of(nb)
        cells = page_cells(json.loads(runs[nb].read_text())['cells'], here, pages)
        write_page(cells, src/f"{here}.ipynb"); twins[here] = cells
    figures = {}
    for paper, nbs in papers.items():
        stems = [nb.stem for nb in nbs]
        names = sorted(n for n in json.loads((ROOT/'figures'/paper/'manifest.json').read_text())['artifacts']
                       if not n.endswith('.ipynb'))          # the notebooks as they ran: shown as the pages' outputs
        owned = {s: [n for n in names if artifact_owner(n, stems) == s] for s in stems}
        run_lines, stage_times = manifest_summary(paper)
        for nb in nbs:
            here = page_of(nb)
            ran, source = executed_outputs(nb, runs_dir), json.loads(nb.read_text())['cells']
            if ran:                 # today's text, the run's outputs (its code cells are today's, one for one)
                outputs = iter(c.get('outputs', []) for c in code_cells(ran[1]))
                source = [dict(c, outputs=next(outputs)) if c['cell_type'] == 'code' else c for c in source]
            cells = page_cells(source, here, pages)
            if ran: cells.insert(1, markdown_cell(ran[0]))
            t = stage_times.get(nb.stem, {})
            calls = (f"{t.get('hits', 0):,} model calls from the cache, {t.get('misses', 0):,} made"
                     if t.get('hits') or t.get('misses') else 'no model calls')
            note = (f"## What this notebook wrote in the committed run\n\n`valuestudy reproduce --paper {paper} --only {nb.stem}`"
                    f" runs it; in the run committed here it took {t.get('seconds', '?')} s ({calls}). Its artifacts, from "
                    f"`figures/{paper}/`:")
            cells += [markdown_cell(note)] + (artifact_cells(paper, owned[nb.stem], here) or [markdown_cell('(none: a stage notebook whose tables go to `results/` only)')])
            write_page(cells, src/f"{here}.ipynb"); twins[here] = cells
            figures.update({f"figures/{paper}/{n}": here for n in owned[nb.stem] if n.endswith('.png')})
        rest = [n for n in names if all(n not in v for v in owned.values())]
        index = [f"# {PAPERS[paper]}", '', *run_lines, '', '## Notebooks, in the order the run takes them', '',
                 '| notebook | seconds | calls made |', '|---|---:|---:|']
        index += [f"| [{nb.stem}]({Path(page_of(nb)).name}.ipynb) | {stage_times.get(nb.stem, {}).get('seconds', '')} | "
                  f"{stage_times.get(nb.stem, {}).get('misses', '')} |" for nb in nbs]
        if rest: index += ['', '## Artifacts of the whole run', ''] + [c['source'] for c in artifact_cells(paper, rest, f"papers/{paper}/index")]
        figures.update({f"figures/{paper}/{n}": f"papers/{paper}/index" for n in rest if n.endswith('.png')})
        index += ['', '```{toctree}', ':hidden:', '', *[Path(page_of(nb)).name for nb in nbs], '```']
        (src/'papers'/paper).mkdir(parents=True, exist_ok=True)
        (src/'papers'/paper/'index.md').write_text('\n'.join(index) + '\n')
        shutil.copytree(ROOT/'figures'/paper, src/'figures'/paper)
    # the landing page, the architecture, the API index
    index_nb = json.loads((NBS/'index.ipynb').read_text())
    cells = page_cells(index_nb['cells'], 'index', pages)
    toc = []
    for title, belongs in SECTIONS:
        toc += ['```{toctree}', f':caption: {title}', ':maxdepth: 1', ':hidden:', '', *[page_of(nb) for nb in libs if belongs(nb)], '```', '']
    toc += ['```{toctree}', ':caption: The papers, reproduced', ':maxdepth: 1', ':hidden:', '', *[f"papers/{p}/index" for p in PAPERS], '```', '',
            '```{toctree}', ':caption: Reference', ':maxdepth: 1', ':hidden:', '', 'architecture', 'api', '```']
    cells += [markdown_cell('## On this site\n\n' + '\n'.join(
        f"- **{title}**: " + ', '.join(f"[{page_of(nb).split('/')[-1]}]({page_of(nb)}.ipynb)" for nb in libs if belongs(nb))
        for title, belongs in SECTIONS) + '\n- **The papers, reproduced**: ' + ', '.join(
        f"[{p}](papers/{p}/index.md)" for p in PAPERS) + '\n- **Reference**: [architecture](architecture.md), [API index](api.md)'),
        markdown_cell('\n'.join(toc))]
    write_page(cells, src/'index.ipynb'); twins['index'] = cells
    (src/'architecture.md').write_text(link_paths((ROOT/'ARCHITECTURE.md').read_text(), 'architecture', pages))
    (src/'api.md').write_text(api_index())
    return {'twins': twins, 'figures': figures}

def api_index() -> str:
    "Every exported name of the library with the first line of its docstring, grouped by module, linked to its page."
    import importlib
    from valuestudy._modidx import d
    out = ['# API index', '', 'Every public name the library exports, with its page (the notebook that defines, explains and '
           'tests it) and the first line of its docstring.', '']
    for mod, syms in sorted(d['syms'].items()):
        m = importlib.import_module(mod)
        page = next(iter(syms.values()))[0].split('#')[0].removesuffix('.html') if syms else None
        out += [f"## `{mod}`", '', f"[{page}]({page}.ipynb) — {((m.__doc__ or '').strip().splitlines() or [''])[0]}", '',
                '| name | what |', '|---|---|']
        for sym in sorted(syms):
            name = sym[len(mod) + 1:]
            if any(part.startswith('_') for part in name.split('.')): continue
            obj = m
            for part in name.split('.'): obj = getattr(obj, part, None)
            doc = ((getattr(obj, '__doc__', None) or '').strip().splitlines() or [''])[0].replace('|', '\\|')
            out.append(f"| `{name}` | {doc} |")
        out.append('')
    return '\n'.join(out)

def build(out: Path = ROOT/'_docs', src: Path = ROOT/'_proc', jobs: int = 2, runs_dir: Path = ROOT/'runs') -> Path:
    "Stage every page in `src`, build the site into `out` with Sphinx, write each page's `.html.md` twin; return `out`."
    t = time.time()
    staged = stage(src, jobs, runs_dir)
    warnings = src/'sphinx-warnings.txt'
    build_dir = src/'_build'                            # Sphinx and myst-nb write beside their output: keep it all in src
    shutil.rmtree(build_dir, ignore_errors=True)        # no page of an earlier build survives into this one
    print('sphinx: building the site', flush=True)
    r = subprocess.run([sys.executable, '-m', 'sphinx', '-b', 'html', '-q', '-c', str(ROOT/'docs'), '-w', str(warnings),
                        '-d', str(build_dir/'doctrees'), str(src), str(build_dir/'html')], capture_output=True, text=True)
    if r.returncode: sys.exit(f"docs: sphinx failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}")
    problems = [l for l in warnings.read_text().splitlines() if 'WARNING' in l or 'ERROR' in l]
    if problems: sys.exit('docs: sphinx warned (a broken link or page); fix it:\n' + '\n'.join(problems[:20]))
    shutil.rmtree(out, ignore_errors=True)
    shutil.move(build_dir/'html', out)
    for here, cells in staged['twins'].items(): (out/f"{here}.html.md").write_text(page_markdown(cells))
    (out/'figure_pages.json').write_text(json.dumps(staged['figures'], indent=1, sort_keys=True))
    print(f"docs: {out/'index.html'} ({time.time() - t:.0f} s); read it with `python -m http.server -d {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}`")
    return out

if __name__ == '__main__':
    if sys.argv[1:2] == ['--execute']: execute_notebook(Path(sys.argv[2]), Path(sys.argv[3])); sys.exit(0)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', type=Path, default=ROOT/'_docs'); ap.add_argument('--src', type=Path, default=ROOT/'_proc')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--runs', type=Path, default=ROOT/'runs', help="where `valuestudy reproduce` left its executed notebooks")
    a = ap.parse_args()
    build(a.out.resolve(), a.src.resolve(), a.jobs, a.runs.resolve())
