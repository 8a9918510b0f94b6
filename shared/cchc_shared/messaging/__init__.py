"""Messaging kit: topology, broker, outbox relay, consumers with inbox and failure policy,
dead-letter inspection and replay."""
