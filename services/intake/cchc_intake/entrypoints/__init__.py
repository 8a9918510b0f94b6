"""HTTP and message entry points: thin, they decode and call a handler."""
