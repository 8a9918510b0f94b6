"""Messaging kit: topology, broker, outbox relay, consumers with inbox and failure policy,
metrics. Dead-letter inspection and replay (``cchc dlq``) and the broker definitions are
in the tools (``cchc_tools``)."""
