"""Unit of work and handlers."""
