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
    batched = smol.score_labels(PROMPTS, ['yes', 'no'], min_mass=0)          # the numbers, valid or not: padding is the point
    single = np.vstack([smol.score_labels([p], ['yes', 'no'], min_mass=0) for p in PROMPTS])
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

def test_group_prefixes_give_the_same_scores(smol, root):
    "Pairs of one sentence share the instruction and the sentence: each sentence runs once, and the numbers do not move."
    from valuestudy.hf import prefix_groups, groups_pay
    task = (root/'data/instruments/gpv_prompt1_relevance.txt').read_text()
    sentences = ['I always tell the truth, even when it costs me a friend or a deal at work.',
                 'Saving money for my children and keeping them safe matters most to me, more than any holiday.']
    prompts = [task.format(sentence=s, value=v) for s in sentences for v in ['Honesty', 'Security', 'Power', 'Tradition']]
    rows = smol.encode(prompts)
    from valuestudy.hf import shared_prefix_len
    rest = [r[shared_prefix_len(rows):] for r in rows]
    groups = prefix_groups(rest, 8)
    assert sorted(len(g) for _, g in groups) == [4, 4] and groups_pay(rest, groups)
    grouped = smol._next_token_logprobs(prompts)
    unshared = smol._next_token_logprobs(prompts, min_shared_prefix=10**9)
    assert float((grouped - unshared).abs().max()) < 1e-3
    lp, _, _ = smol._prompt_pass(rows, min_group_prefix=10**9)               # groups off: the same numbers again
    assert float((grouped - lp).abs().max()) < 1e-3
    labels = [' yes', ' no', ' 10']                                          # multi-token and complete, continuing the grouped cache
    cached = np.array(smol._multi_token_logprobs(prompts, labels, complete=True))
    full = np.array(smol._full_sequence_logprobs([p for p in prompts for _ in labels], labels*len(prompts), complete=True))
    assert np.abs(cached - full.reshape(cached.shape)).max() < 1e-4

def test_generation_with_a_shared_prefix_gives_the_same_texts(root):
    "The worked examples of a phi prompt run once per greedy batch (sampled rows run whole); the texts are those of a whole-prompt run."
    import pandas as pd
    from valuestudy.valuelex.judge import phi_request
    m = get_model('embedded/smollm2', cache=CallCache(':memory:', mode='off'), batch_size=8)
    items = pd.read_csv(root/'data/instruments/valuelex_phi_labelled.csv').head(6).assign(definition='what the value means')
    msgs = [phi_request(m, it, mode='cot')[0] for it in items.itertuples()]
    from valuestudy.hf import shared_prefix_len
    assert shared_prefix_len(m.encode([m.render(x) for x in msgs])) > 300          # the instruction and the examples
    reqs = [{'messages': x, 'max_tokens': 24} for x in msgs] + [{'messages': x, 'max_tokens': 24, 'temperature': 1.0, 'top_p': 0.95, 'n': 2} for x in msgs[:3]]
    shared = m.generate(reqs, progress=False)
    m.min_shared_prefix = 10**9
    whole = m.generate(reqs, progress=False)
    assert shared == whole, [(a, b) for a, b in zip(shared, whole) if a != b][:2]
    assert len({t for a in shared for t in a}) > 3                                   # real, varied answers

def test_prefill_continues_the_given_answer_start(smol):
    msgs = [{'role': 'user', 'content': 'List two values of a kind person as JSON.'}]
    start = '{"perceptions": ["'
    text = smol.render([*msgs, {'role': 'assistant', 'content': start}])
    assert text.rstrip().endswith(start) and text.startswith(smol.render(msgs)[:20])       # no new turn after the start
    assert not smol.render(msgs).rstrip().endswith(start)
    from valuestudy.gpv.parse import parse_segments
    import pandas as pd
    docs = pd.DataFrame(dict(doc_id=['d'], text=['I always help my neighbours, and I believe honesty matters more than money.']))
    perc, failed = parse_segments(docs, smol, max_tokens=48, retries=0, progress=False)
    assert len(perc) + len(failed) >= 1
    assert not (failed.dropped == 'segment').any(), failed.error.tolist()      # with the answer begun, even the 135M model writes a JSON list

# --- Same answers whatever happened before: a sampled text is a function of its cache key alone ---------------------
ELICIT = [{'messages': [{'role': 'user', 'content': f'Name {k} words for the values that guide you{"." * k}'}],
           'temperature': 0.9, 'top_p': 0.95, 'max_tokens': 16, 'n': 2} for k in range(1, 5)]

def fresh(batch_size, path=':memory:'):
    from valuestudy.models import _LOADED
    m = get_model('embedded/smollm2', cache=CallCache(path), batch_size=batch_size)
    _LOADED.clear()                                   # another object each time: nothing carried over in memory
    return m

def test_sampled_answers_do_not_depend_on_batch_size():
    assert fresh(1).generate(ELICIT) == fresh(8).generate(ELICIT)

HOT = [{'messages': [{'role': 'user', 'content': 'In ' + ' '.join(['a few'] * (1 + k % 5)) + f' words, what do you value most? ({k})'}],
        'temperature': 1.2, 'top_p': 1.0, 'max_tokens': 16, 'n': 2} for k in range(12)]

def test_hot_sampling_of_prompts_of_many_lengths_does_not_depend_on_batch_size():
    "Left padding moves a row's logits by ~1e-5; at T 1.2 over the whole vocabulary that moved 2 of 24 draws (issue 36)."
    assert fresh(1).generate(HOT) == fresh(8).generate(HOT)

def test_resumed_run_draws_what_an_uninterrupted_run_draws(tmp_path):
    whole = fresh(8, tmp_path/'whole.sqlite').generate(ELICIT)
    part = fresh(3, tmp_path/'resumed.sqlite')
    part.generate(ELICIT[1:3])                        # the run that died after two requests
    resumed = fresh(8, tmp_path/'resumed.sqlite')
    assert resumed.generate(ELICIT) == whole
    assert resumed.model_calls == 4                   # only the missing sample indices were drawn

def test_sampled_answers_differ_by_sample_index_and_seed():
    m = fresh(8)
    a, = m.generate([ELICIT[0]])
    assert a[0] != a[1]                               # two sample indices, two draws
    b, = m.generate([{**ELICIT[0], 'seed': 7}])
    assert b != a                                     # another study seed, other draws

GREEDY = [{'messages': [{'role': 'user', 'content': 'Tell me about ' + ' and '.join(['honesty'] * (1 + k % 7)) + f' ({k})'}],
           'max_tokens': 12} for k in range(32)]

def test_greedy_generation_batch_32_equals_batch_1():
    assert fresh(32).generate(GREEDY) == fresh(1).generate(GREEDY)

def test_label_scores_batch_32_within_bound_of_batch_1():
    prompts = [r['messages'] + [] for r in GREEDY]
    prompts = [[{'role': 'user', 'content': p[0]['content'] + ' Is that a value? Answer yes or no.'}] for p in prompts]
    big, one = fresh(32).score_labels(prompts, ['yes', 'no'], min_mass=0), fresh(1).score_labels(prompts, ['yes', 'no'], min_mass=0)
    assert np.abs(big - one).max() < 1e-4, np.abs(big - one).max()       # padding moves float32 sums, not answers

# --- Multi-token labels from one prompt pass: the same log-probabilities as the full (prompt, label) sequences ---------
def test_multi_token_labels_from_prompt_cache_equal_full_sequences(smol, root):
    rate = (root/'data/instruments/valuebench_judge.txt').read_text().strip()
    prompts = [smol.render([{'role': 'user', 'content': rate.format(question=q, answer=a)}]) for q, a in [
        ('Do you value tradition?', 'Yes, traditions connect us to our past.'),
        ('Is power important to you?', 'No, I prefer cooperation and would rather share decisions with everyone.'),
        ('Do you seek adventure?', 'I love exploring.')]] + ['Q: Is Paris in France?\nA:']
    labels = [str(i) for i in range(11)] + [' yes indeed', 'no way']
    assert any(len(smol.tok(l, add_special_tokens=False)['input_ids']) > 1 for l in labels)
    cached = np.array(smol._multi_token_logprobs(prompts, labels))
    full = np.array(smol._full_sequence_logprobs([p for p in prompts for _ in labels], labels * len(prompts))).reshape(cached.shape)
    assert np.abs(cached - full).max() < 1e-4, np.abs(cached - full).max()

def test_ratings_are_scored_as_complete_answers(smol, root):
    "SmolLM2 has no '10' token: read by its first tokens, P('10') = P('1')·P('0'|'1') could never exceed P('1')."
    assert len(smol.tok('10', add_special_tokens=False)['input_ids']) == 2
    ratings = [str(i) for i in range(11)]
    counting = [[{'role': 'user', 'content': 'Count from one to ten in digits, one number per line.'},
                 {'role': 'assistant', 'content': '1\n2\n3\n4\n5\n6\n7\n8\n9\n'}]]
    p = smol.score_labels(counting, ratings, min_mass=0)[0]
    assert p[10] > 0.5 and p[10] > 5*p[1], p                       # "10" itself, not "1" read early
    raw = smol.score_labels(['1, 2, 3, 4, 5, 6, 7, 8, 9,'], [' ' + r for r in ratings], min_mass=0)[0]
    assert raw[10] > raw[1], raw
    # exact: the prompt-cache continuation equals the whole (prompt, label) sequences, terminator included
    rate = (root/'data/instruments/valuebench_judge.txt').read_text().strip()
    texts = [smol.render([{'role': 'user', 'content': rate.format(question='Do you value tradition?', answer=a)}])
             for a in ['Yes, traditions connect us to our past.', 'No.']] + [smol.render(counting[0])]
    cached = np.array(smol._multi_token_logprobs(texts, ratings, complete=True))
    full = np.array(smol._full_sequence_logprobs([t for t in texts for _ in ratings], ratings*len(texts), complete=True))
    assert np.abs(cached - full.reshape(cached.shape)).max() < 1e-4

def test_terminators_end_answers_and_letters_continue_them(smol):
    ends = set(smol.terminator_ids().tolist())
    tid = lambda s: smol.tok(s, add_special_tokens=False)['input_ids'][-1]
    assert {smol.tok.eos_token_id, smol.tok.convert_tokens_to_ids('<|im_end|>'), tid('a\n'), tid('a.'), tid('a "')} <= ends
    assert not {tid('a0'), tid('10')} & ends and tid('ab') not in ends

def test_labels_that_do_not_start_one_another_keep_their_requests(smol):
    "Only prefix-ambiguous label sets are read as complete answers (their cache key says so); yes/no and 1–6 are unchanged."
    from valuestudy.models import prefix_ambiguous
    assert not prefix_ambiguous(['yes', 'no']) and not prefix_ambiguous([str(i) for i in range(1, 7)])
    assert prefix_ambiguous([str(i) for i in range(11)]) and prefix_ambiguous([' 1', ' 10'])

def test_gemma_reads_its_bos():
    "Gemma needs <bos>: without it a fixed English sentence is ~6 nats/token less likely and its answers loop."
    import torch
    g = get_model('embedded/gemma3-270m', cache=CallCache(':memory:', mode='off'))
    sent = 'The quick brown fox jumps over the lazy dog near the river bank.'
    ids = g.tok(sent, add_special_tokens=False)['input_ids']
    k = len(ids) - 1                                          # tokens predicted in both readings
    def mean_ll(row):
        with torch.inference_mode(): lp = torch.log_softmax(g.model(torch.tensor([row])).logits[0].float(), -1)
        return lp[:-1].gather(-1, torch.tensor(row)[1:, None])[-k:].mean().item()
    with_bos, without_bos = mean_ll([g.tok.bos_token_id, *ids]), mean_ll(ids)
    lp, seen = g._forward_logprobs([sent])                    # what the backend computes
    backend = lp[0, :-1].gather(-1, seen[0, 1:, None])[-k:].mean().item()
    assert abs(backend - with_bos) < 1e-3 and with_bos - without_bos > 2, (backend, with_bos, without_bos)
    assert g.encode(['<bos>Hello', 'Hello'])[0] == g.encode(['Hello'])[0]    # a template's own <bos> is not doubled

def test_bos_follows_the_tokenizer_and_upstream(smol):
    from valuestudy.hf import bos_to_add
    assert smol.bos_id is None and smol.tok('a')['input_ids'][:1] != [smol.tok.bos_token_id]   # SmolLM2 adds none
    g = get_model('embedded/gemma3-270m', cache=CallCache(':memory:', mode='off'))
    assert bos_to_add(g.tok) == g.tok.bos_token_id and bos_to_add(g.tok, format='valuellama') is None   # upstream: none
    assert bos_to_add(g.tok, spec='hf/Value4AI/ValueLlama-3-8B') is None and bos_to_add(g.tok, bos='0') is None

def test_cached_calls_do_not_load_the_weights(tmp_path):
    "A warm run reads answers from the cache without reading the tokenizer or the weights; the kind is known without them."
    req = [{'prompt': PROMPTS[2], 'max_tokens': 6}]
    for name in ('smollm2', 'gemma3-270m'):
        cache = CallCache(tmp_path/f'{name}.sqlite', mode='live')
        cold = get_model(f'embedded/{name}', cache=cache)
        assert 'model' not in vars(cold) and 'tok' not in vars(cold)
        answer = cold.generate(req)                                           # a miss: loads, then answers
        assert 'model' in vars(cold) and cold.kind == ('chat' if cold.tok.chat_template else 'base')
        warm = get_model(f'embedded/{name}', cache=CallCache(tmp_path/f'{name}.sqlite', mode='live'))   # a new process's
        assert warm.generate(req) == answer and 'model' not in vars(warm), name   # a hit: nothing loaded
        assert warm.revision == cold.revision and warm.kind == cold.kind
    from valuestudy.hf import has_chat_template
    assert has_chat_template(cold._src) == bool(cold.tok.chat_template) and has_chat_template(tmp_path/'none') is None
