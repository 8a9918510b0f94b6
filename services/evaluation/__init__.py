"""Lets pytest name this service's test packages uniquely (evaluation.tests...)."""
