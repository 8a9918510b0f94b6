"""The write side, one module per use case."""
