"""Tools of the CCHC platform for people, not for the services: the ``cchc`` command (run,
migrate, token, demo, dlq), dead-letter inspection and replay, the demo client, and the
generation of the contract documents and broker definitions. No service image installs it."""
