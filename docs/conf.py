# Sphinx configuration of the documentation site. `make docs` (tools/docs.py) stages the pages in _proc/ and builds
# them with this file into _docs/; nothing here reaches the network.
project = 'valuestudy'
author = 'valuestudy authors'
copyright = '2026, valuestudy authors'
extensions = ['myst_nb', 'sphinx-mathjax-offline']   # MathJax served from the site itself, not a CDN
# Notebooks are executed by tools/docs.py before Sphinx sees them (library notebooks and tutorials), or carry the
# artifacts of the committed run (paper notebooks): Sphinx renders what it is given and runs nothing.
nb_execution_mode = 'off'
nb_merge_streams = True
myst_enable_extensions = ['dollarmath', 'colon_fence']
myst_heading_anchors = 3
exclude_patterns = ['.executed', 'figures/**.md', 'figures/**.ipynb', 'sphinx-warnings.txt', '_build', 'jupyter_execute', '**.ipynb_checkpoints']
suppress_warnings = ['mystnb.unknown_mime_type']
html_theme = 'sphinx_book_theme'
html_title = 'valuestudy'
html_theme_options = {
    'show_toc_level': 2,
    'use_download_button': False,
    'use_fullscreen_button': False,
    'navigation_with_keys': False,
    'use_repository_button': False,
}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
