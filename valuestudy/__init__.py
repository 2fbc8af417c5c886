"""Measure the values of LLMs and people: ValueLex and GPV, reproducible end to end

Modules:

- `valuestudy.gpv.study`: Value-eliciting questions, the answers of a panel of LLMs, their GPV measurement, and the two baselines (self-report and ValueBench), gathered into one measurements table in the schema of the published one."""

__version__ = "0.0.1"
