"The transformers backend on the real embedded SmolLM2: left padding, label scoring paths, the models cache."
import numpy as np
import pytest
from valuestudy.cache import CallCache
from valuestudy.embedded import embedded_path
from valuestudy.hf import convert_gguf
from valuestudy.models import get_model

@pytest.fixture(scope='module')
def smol():
    return get_model('embedded/smollm2', cache=CallCache(':memory:', mode='off'), batch_size=8)

PROMPTS = [[{'role': 'user', 'content': 'Is honesty a value? Answer yes or no.'}],
           [{'role': 'user', 'content': 'Here is a much longer question about whether a person who always tells the truth, '
                                        'even when it costs them, values honesty. Answer yes or no.'}],
           'Q: Is the sky green?\nA:']

def test_batched_scores_equal_single_scores(smol):
    batched = smol.score_labels(PROMPTS, ['yes', 'no'])
    single = np.vstack([smol.score_labels([p], ['yes', 'no']) for p in PROMPTS])
    assert np.allclose(batched, single, atol=2e-3), (batched, single)       # left padding changes nothing

def test_multi_token_path_agrees_with_single_token_path(smol):
    fast = smol._logprobs(PROMPTS, ['yes', 'no'])                          # next-token distribution
    slow = smol._logprobs(PROMPTS, ['yes', 'no', 'maybe so'])               # forces the (prompt, label) sequences path
    assert np.allclose(np.array(fast), np.array(slow)[:, :2], atol=2e-3)

def test_batched_greedy_generation_equals_single(smol):
    reqs = [{'messages': p, 'max_tokens': 8} if isinstance(p, list) else {'prompt': p, 'max_tokens': 8} for p in PROMPTS]
    assert smol.generate(reqs) == [smol.generate([r])[0] for r in reqs]

def test_models_cache_keeps_the_converted_folder():
    folder = convert_gguf(embedded_path('smollm2'))
    stamp = (folder/'converted.json').stat().st_mtime
    assert convert_gguf(embedded_path('smollm2')) == folder and (folder/'converted.json').stat().st_mtime == stamp
    assert (folder/'config.json').exists()

def test_base_model_refuses_messages():
    from valuestudy.hf import HFModel
    m = get_model('embedded/smollm2', cache=CallCache(':memory:', mode='off'))
    m2 = object.__new__(HFModel); m2.__dict__.update(m.__dict__); m2.tok = type('T', (), {'chat_template': None})()
    with pytest.raises(ValueError, match='no chat template'): m2.render([{'role': 'user', 'content': 'hi'}])

def test_prefix_sharing_gives_the_same_scores(smol, root):
    task = (root/'data/instruments/gpv_prompt1_relevance.txt').read_text()
    prompts = [task.format(sentence=s, value=v) for s, v in [
        ('I always tell the truth.', 'Honesty'), ('Saving money for my children matters most to me.', 'Security'),
        ('Power is everything.', 'Benevolence')]]
    from valuestudy.hf import shared_prefix_len
    assert shared_prefix_len(smol.tok(prompts, add_special_tokens=False)['input_ids']) > 30
    shared = smol._next_token_logprobs(prompts)
    unshared = smol._next_token_logprobs(prompts, min_shared_prefix=10**9)
    assert float((shared - unshared).abs().max()) < 1e-3

def test_prefill_continues_the_given_answer_start(smol):
    msgs = [{'role': 'user', 'content': 'List two values of a kind person as JSON.'}]
    start = '{"perceptions": ["'
    text = smol.render([*msgs, {'role': 'assistant', 'content': start}])
    assert text.rstrip().endswith(start) and text.startswith(smol.render(msgs)[:20])       # no new turn after the start
    assert not smol.render(msgs).rstrip().endswith(start)
    from valuestudy.gpv import parse_segments
    import pandas as pd
    docs = pd.DataFrame(dict(doc_id=['d'], text=['I always help my neighbours, and I believe honesty matters more than money.']))
    perc, failed = parse_segments(docs, smol, max_tokens=48, retries=0, progress=False)
    assert len(perc) + len(failed) >= 1
    assert not (failed.dropped == 'segment').any(), failed.error.tolist()      # with the answer begun, even the 135M model writes a JSON list
