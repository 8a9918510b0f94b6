"""Evaluation: rubric, evaluations, selection, PAR-Index contribution."""
