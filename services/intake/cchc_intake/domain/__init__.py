"""The intake domain model: pure, no I/O."""
