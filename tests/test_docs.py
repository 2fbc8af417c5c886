"""The documentation site as a reader sees it. `tools/docs.py` builds it from this checkout, offline; then headless
Chromium (Debian's package, driven by Playwright) opens it from a local server: every page is reached from the landing
page, every internal link and anchor resolves, no request leaves the machine, and each paper figure's page shows its
image. Screenshots of the landing page and a figure page are saved under the test's output (and, with
`VALUESTUDY_SCREENSHOTS=docs/screenshots`, where the repository keeps them)."""
import functools, http.server, json, os, re, shutil, subprocess, sys, threading
from pathlib import Path
from urllib.parse import urlsplit, unquote
import pytest
from conftest import ROOT, free_port

sys.path.insert(0, str(ROOT/'tools'))
import docs                                      # tools/docs.py

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']

@pytest.fixture(scope='module')
def site(tmp_path_factory, mirror):
    work = tmp_path_factory.mktemp('docs')
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'docs.py'), '--out', str(work/'html'), '--src', str(work/'src')],
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    return work/'html'

def test_every_notebook_has_a_page(site):
    nbs = docs.library_notebooks() + [nb for p in docs.PAPERS for nb in docs.paper_notebooks(p)]
    missing = [nb.relative_to(ROOT).as_posix() for nb in nbs if not (site/f"{docs.page_of(nb)}.html").exists()]
    assert len(nbs) > 60 and not missing, missing
    assert all((site/f"papers/{p}/index.html").exists() for p in docs.PAPERS)
    assert (site/'api.html').exists() and (site/'architecture.html').exists()

def test_the_module_docstrings_link_to_pages_of_the_site(site):
    "nbdev writes `Docs: <doc_host><doc_baseurl>/<page>.html.md` under each module's docstring: each names a page built here."
    from nbdev.config import get_config
    cfg = get_config()
    base = cfg.doc_host.rstrip('/') + cfg.doc_baseurl.rstrip('/') + '/'
    links = {}
    for f in sorted((ROOT/'valuestudy').rglob('*.py')):
        m = re.search(r'^Docs: (\S+)"""', f.read_text(), re.M)
        if m: links[f.relative_to(ROOT).as_posix()] = m.group(1)
    assert len(links) >= 30
    wrong = {f: u for f, u in links.items() if not u.startswith(base) or not (site/u[len(base):]).exists()
             or not (site/u[len(base):].removesuffix('.md')).exists()}
    assert not wrong, wrong

def test_a_library_page_shows_its_examples_outputs(site):
    html = (site/'gpv'/'analysis.html').read_text()
    assert 'cell_output' in html and html.count('class="cell docutils container"') > 5

def test_solutions_are_folded_and_hidden_cells_removed(site):
    html = (site/'tutorials'/'measuring_a_value.html').read_text()
    assert 'tag_solution' in html and 'tag_hide-cell' in html, "the solutions cell is there, folded"
    assert '#| hide' not in html and '#| export' not in (site/'gpv'/'scorer.html').read_text()

def test_a_long_table_is_cut_with_a_pointer_to_its_file():
    table = '\n'.join(['| a |', '|---|'] + [f'| {i} |' for i in range(100)])
    cut = docs.table_excerpt(table, 'x.md', rows=10)
    assert cut.count('\n| ') == 10 and 'first 10 of 100 rows' in cut and 'x.md' in cut
    assert docs.table_excerpt(table, 'x.md', rows=100) == table

def test_artifacts_belong_to_the_notebook_that_wrote_them():
    stems = ['01_scorer', '03_questions', 'fig4_schwartz_correlations', 'fig_value_map', 'table4_construct_validity']
    assert docs.artifact_owner('fig4_schwartz_correlations_agreement.csv', stems) == 'fig4_schwartz_correlations'
    assert docs.artifact_owner('table4_construct_validity_study.md', stems) == 'table4_construct_validity'
    assert docs.artifact_owner('03_study_values.md', stems) == '03_questions'          # a stage's own prefix
    assert docs.artifact_owner('study_variant_status.md', stems) is None               # the whole run's: its paper page

@pytest.fixture(scope='module')
def served(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

@pytest.fixture(scope='module')
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get('VALUESTUDY_REQUIRE_BROWSER'): pytest.fail(f"No Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
        pytest.skip('Chromium is not installed: apt-get install chromium to run the browser test')
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()

def crawl(page, base: str) -> tuple:
    "Visit every page reachable from the landing page: ({page path: its element ids}, [(from, path, fragment)], [outside requests])."
    outside, failed = [], []
    page.on('request', lambda r: None if r.url.startswith(base) or r.url.startswith('data:') else outside.append(r.url))
    page.on('response', lambda r: failed.append((r.url, r.status)) if r.status >= 400 else None)
    ids, links, queue = {}, [], ['index.html']
    while queue:
        path = queue.pop()
        if path in ids: continue
        response = page.goto(base + path)
        if not response.ok: ids[path] = set(); continue          # counted as failed by the response handler
        ids[path] = set(page.eval_on_selector_all('[id]', 'els => els.map(e => e.id)'))
        for href in page.eval_on_selector_all('a[href]', 'els => els.map(a => a.href)'):
            if not href.startswith(base): continue
            u = urlsplit(href)
            target = unquote(u.path)[len(urlsplit(base).path):] or 'index.html'
            if target.endswith('/'): target += 'index.html'
            links.append((path, target, u.fragment))
            if target.endswith('.html') and target not in ids: queue.append(target)
    return ids, links, outside, failed

def test_the_site_in_a_browser(site, served, browser, tmp_path):
    page = browser.new_page(viewport={'width': 1300, 'height': 900})
    ids, links, outside, failed = crawl(page, served)
    expected = {f"{docs.page_of(nb)}.html" for nb in docs.library_notebooks()}
    assert expected <= set(ids), f"pages no link reaches: {sorted(expected - set(ids))[:10]}"
    broken = [(frm, to, frag) for frm, to, frag in links
              if not (site/to).is_file() or (frag and to.endswith('.html') and frag not in ids.get(to, set()))]
    assert not broken, f"{len(broken)} broken internal links, e.g. {broken[:10]}"
    assert not failed, f"requests that failed: {failed[:10]}"
    assert not outside, f"the site asked for something off this machine: {sorted(set(outside))[:10]}"

    figures = json.loads((site/'figure_pages.json').read_text())
    assert len(figures) >= 20, "every paper's figures have pages"
    not_shown = []
    for png, where in sorted(figures.items()):
        page.goto(served + where + '.html')
        shown = page.eval_on_selector_all('article img', """(imgs, stem) => imgs.some(i => i.alt === stem
                                              && i.complete && i.naturalWidth > 100)""", Path(png).stem)
        if not shown: not_shown.append(png)
    assert not not_shown, f"figure pages that do not show their image: {not_shown}"

    shots = [tmp_path/'landing_page.png', tmp_path/'figure_page.png']
    page.goto(served + 'index.html'); page.screenshot(path=str(shots[0]))
    page.goto(served + figures['figures/gpv/fig4_schwartz_correlations.png'] + '.html')
    page.locator('article img[alt="fig4_schwartz_correlations"]').scroll_into_view_if_needed()
    page.screenshot(path=str(shots[1]))
    assert all(s.stat().st_size > 20_000 for s in shots)
    if os.environ.get('VALUESTUDY_SCREENSHOTS'):
        keep = Path(os.environ['VALUESTUDY_SCREENSHOTS']); keep.mkdir(parents=True, exist_ok=True)
        for s in shots: shutil.copy(s, keep/s.name)

def test_a_paper_page_takes_the_newest_full_run_of_the_same_code(tmp_path):
    nb = ROOT/'nbs'/'papers'/'gpv'/'fig4_schwartz_correlations.ipynb'
    cells = json.loads(nb.read_text())['cells']
    def ran(folder, end, smoke=False, exception=None, code=cells):
        copy = tmp_path/folder/nb.name; copy.parent.mkdir(parents=True)
        params = {'cell_type': 'code', 'metadata': {'tags': ['injected-parameters']}, 'source': 'smoke = False', 'outputs': []}
        copy.write_text(json.dumps({'cells': [params, *code], 'metadata': {'papermill': {
            'end_time': end, 'exception': exception, 'parameters': {'smoke': smoke}}}}))
        return copy
    assert docs.last_execution(nb, tmp_path) is None                                   # a fresh clone: no runs
    older = ran('gpv-1', '2026-01-01T00:00:00')
    ran('gpv-2', '2026-02-01T00:00:00', smoke=True)                                    # a smoke run is not the paper's
    ran('gpv-3', '2026-03-01T00:00:00', exception=True)                                # nor a failed one
    ran('gpv-4', '2026-04-01T00:00:00', code=[dict(c, source='1 + 1') if c['cell_type'] == 'code' else c for c in cells])
    ran('valuelex-5', '2026-05-01T00:00:00')                                           # nor another paper's
    assert docs.last_execution(nb, tmp_path)[0] == older
    newer = ran('gpv-6', '2026-06-01T00:00:00')
    assert docs.last_execution(nb, tmp_path)[0] == newer

def test_a_paper_page_prefers_the_copy_its_committed_run_kept(tmp_path):
    nb = ROOT/'nbs'/'papers'/'gpv'/'fig4_schwartz_correlations.ipynb'
    cells = json.loads(nb.read_text())['cells']
    kept = tmp_path/'figures'/'gpv'/nb.name; kept.parent.mkdir(parents=True)
    kept.write_text(json.dumps({'cells': cells, 'metadata': {}}))
    where, shown = docs.executed_outputs(nb, tmp_path/'runs', tmp_path/'figures')
    assert 'committed run' in where and shown == cells
    kept.write_text(json.dumps({'cells': [dict(c, source='2 + 2') if c['cell_type'] == 'code' else c for c in cells], 'metadata': {}}))
    assert docs.executed_outputs(nb, tmp_path/'runs', tmp_path/'figures') is None      # older code, and no run: no outputs

def test_every_paper_notebook_has_its_committed_run_outputs(tmp_path):
    "The copy each paper notebook's committed run kept is of today's code: edit a paper notebook's code, re-run its paper."
    stale = [nb.relative_to(ROOT).as_posix() for p in docs.PAPERS for nb in docs.paper_notebooks(p)
             if docs.executed_outputs(nb, tmp_path) is None]
    assert not stale, f"re-run `valuestudy reproduce --paper <paper> --only <stem>` for: {stale}"
