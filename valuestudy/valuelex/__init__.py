"""ValueLex (Biedma et al., 2024; arXiv:2404.12744): elicitation, the lexical method, projective tests."""
