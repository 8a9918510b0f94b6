"""Service chassis: settings, logging, health, metrics and the runtime that wires a
service's database, broker, consumers and outbox relay together."""
