"""Database tables and repositories."""
