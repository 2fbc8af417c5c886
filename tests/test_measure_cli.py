"`valuestudy measure`: GPV on a user's own files through the real parser and scorer models and the study's call cache."
import pandas as pd
import pytest
from valuestudy.reproduce import main
from valuestudy.cache import CallCache

@pytest.fixture
def texts(tmp_path, monkeypatch):
    monkeypatch.setenv('VALUESTUDY_CACHE', str(tmp_path/'calls.sqlite'))
    (tmp_path/'diary.txt').write_text("I help my neighbours every weekend. Caring for the people close to me matters most.")
    pd.DataFrame({'id': ['a', 'b'], 'body': ["Winning matters. I want to be the best.", "I love parties and fun."]}).to_csv(tmp_path/'posts.csv', index=False)
    return tmp_path

def test_measure_files_without_parsing_is_cached_and_stable(texts, capsys):
    args = ['measure', str(texts/'diary.txt'), str(texts/'posts.csv'), '--text-column', 'body', '--values', 'schwartz',
            '--parser', 'sentences', '--scorer', 'embedded/smollm2', '--out', str(texts/'scores.csv'), '--perceptions', str(texts/'p.csv')]
    assert main(args) == 0
    scores = pd.read_csv(texts/'scores.csv')
    assert list(scores.columns) == ['doc_id', 'value', 'score', 'n', 'perceptions']
    assert set(scores.doc_id) == {'diary.txt', 'posts.csv:a', 'posts.csv:b'} and scores.value.nunique() == 10
    assert scores.groupby('doc_id').perceptions.first().to_dict() == {'diary.txt': 2, 'posts.csv:a': 2, 'posts.csv:b': 1}
    assert len(pd.read_csv(texts/'p.csv')) == 5*10 and 'written to' in capsys.readouterr().err
    calls = len(CallCache(texts/'calls.sqlite'))
    assert calls > 0                                          # the model calls went through the study's cache …
    assert main(args + ['--cache-mode', 'replay']) == 0         # … so a replay run needs no model …
    assert len(CallCache(texts/'calls.sqlite')) == calls and pd.read_csv(texts/'scores.csv').equals(scores)   # … and agrees

def test_measure_parses_with_the_parser_model(texts, capsys):
    assert main(['measure', str(texts/'diary.txt'), '--values', 'schwartz', '--parser', 'embedded/smollm2',
                 '--scorer', 'embedded/smollm2']) == 0
    out = capsys.readouterr()
    scores = pd.read_csv(pd.io.common.StringIO(out.out))
    assert len(scores) == 10 and (scores.doc_id == 'diary.txt').all() and 'parser embedded/smollm2' in out.err

def test_measure_errors_are_one_line(texts, capsys):
    assert main(['measure', str(texts/'missing.txt')]) == 2
    assert main(['measure', str(texts/'diary.txt'), '--values', 'schwarz', '--parser', 'sentences']) == 2
    assert main(['measure', str(texts/'diary.txt'), '--parser', 'nope/x']) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and 'missing.txt' in err[0] and 'schwartz' in err[1] and "'nope'" in err[2], err

def test_measure_uses_sentences_unless_a_parser_is_named(texts, capsys):
    "Issue 30: on the dev arguments the embedded parser loses to sentences with every scorer, so `measure` does not parse by default."
    assert main(['measure', str(texts/'diary.txt'), '--values', 'schwartz', '--scorer', 'embedded/smollm2']) == 0
    err = capsys.readouterr().err
    assert 'parser sentences' in err and 'generate' not in err          # no parsing call was made
