"""A ValueLlama scorer runs exactly as upstream Value4AI/gpv `gpv/valuellama.py` runs it: the prompt strings, the label
token ids and the probabilities are rebuilt here by upstream's own construction (copied below) and compared with ours,
on SmolLM2's byte-level BPE tokenizer (which treats leading spaces as Llama-3's does)."""
import numpy as np
import pytest
from valuestudy.cache import CallCache
from valuestudy.gpv.measure import LLMScorer
from valuestudy.models import get_model

# --- upstream, verbatim (Value4AI/gpv 37b13d7, gpv/valuellama.py) ---
VALENCE_TEMPLATE = """[Task] Given a sentence and a value, determine whether the sentence supports or opposes the value. If the sentence supports the value, output "support". If the sentence opposes the value, output "oppose". If you need more context to make a decision, output "either".
Sentence: {sentence}
Value: {value}
Output:\n"""
RELEVANCE_TEMPLATE = """[Task] Given a sentence and a value, determine whether the sentence is relevant to the value. If the sentence is relevant to the value, output "yes", otherwise output "no".
Sentence: {sentence}
Value: {value}
Output:\n"""

def upstream_token_ids(tokenizer):
    key_words = ['yes', 'no', 'support', 'oppose', 'either']
    token_ids = {}
    for word in key_words:
        tokens = tokenizer.tokenize(word)
        token_ids[word] = tokenizer.convert_tokens_to_ids(tokens[0])
    return [token_ids['yes'], token_ids['no']], [token_ids['support'], token_ids['oppose'], token_ids['either']]

def upstream_probs(hf, inputs, token_ids):
    "get_probs + get_probs_template, one prompt at a time (no padding), on the CPU."
    import torch
    out = []
    for prompt in inputs:
        enc = hf.tok([prompt], return_tensors='pt', add_special_tokens=False)
        with torch.inference_mode(): logits = hf.model(**enc).logits[:, -1].float()
        probs = torch.softmax(logits, dim=-1)[:, token_ids]
        out.append((probs/probs.sum(dim=-1, keepdim=True))[0].numpy())
    return np.array(out)
# ---

PAIRS = [('I always tell the truth, even when it costs me.', 'Honesty'),
         ('Rules are made to be broken.', 'Conformity'),
         ('I love trying new and exciting things.', 'Stimulation')]

@pytest.fixture(scope='module')
def scorer():
    return LLMScorer(get_model('embedded/smollm2?format=valuellama', cache=CallCache(':memory:', mode='off')))

def test_valuellama_format_is_chosen_by_name_or_option(scorer):
    assert scorer.format == 'valuellama' and not scorer.as_chat
    plain = LLMScorer(get_model('embedded/smollm2', cache=CallCache(':memory:', mode='off')))
    assert plain.format == 'prompt1' and plain.id != scorer.id      # the format changes how text is read (no BOS): part of the id

def test_prompts_are_upstreams(scorer):
    assert scorer.prompts('relevance', PAIRS) == [RELEVANCE_TEMPLATE.format(sentence=s, value=v) for s, v in PAIRS]
    assert scorer.prompts('valence', PAIRS) == [VALENCE_TEMPLATE.format(sentence=s, value=v) for s, v in PAIRS]
    assert all(p.endswith('Output:\n') for p in scorer.prompts('valence', PAIRS))

def test_label_token_ids_are_upstreams(scorer):
    rel, val = upstream_token_ids(scorer.model.tok)
    assert scorer.label_token_ids('relevance') == rel and scorer.label_token_ids('valence') == val
    assert len(scorer.model.tok.tokenize('oppose')) > 1 or len(scorer.model.tok.tokenize('support')) > 1   # first sub-token matters

def test_probabilities_are_upstreams(scorer, monkeypatch):
    rel, val = upstream_token_ids(scorer.model.tok)
    up_rel = upstream_probs(scorer.model, [RELEVANCE_TEMPLATE.format(sentence=s, value=v) for s, v in PAIRS], rel)[:, 0]
    up_val = upstream_probs(scorer.model, [VALENCE_TEMPLATE.format(sentence=s, value=v) for s, v in PAIRS], val)
    monkeypatch.setenv('VALUESTUDY_MIN_LABEL_MASS', '0')                  # upstream renormalizes whatever the mass
    assert np.allclose(scorer.relevance(PAIRS), up_rel, atol=2e-3)         # batched with left padding vs one at a time
    assert np.allclose(scorer.valence(PAIRS), up_val, atol=2e-3)
