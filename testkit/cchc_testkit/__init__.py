"""Test support for every service: real RabbitMQ virtual hosts and real databases
(SQLite and PostgreSQL), each fresh per test so tests cannot see each other's data; private
broker and database nodes; the services as processes; the base of the fake units of work.
No service image installs it."""
