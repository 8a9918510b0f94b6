"""Test support for every service: real RabbitMQ virtual hosts and real databases
(SQLite and PostgreSQL), each fresh per test so tests cannot see each other's data."""
