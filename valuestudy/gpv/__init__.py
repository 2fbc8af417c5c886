"""GPV, Generative Psychometrics for Values (Ye et al., 2024; arXiv:2409.12106): parsing, measurement, the scorer, the LLM study, analyses."""
