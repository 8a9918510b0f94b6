"""The write side of the scheduling service, one module per use case: ``pool`` (intake's
events), ``roster``, ``rounds`` and ``plans`` (proposals). Each runs in one unit of work: the
state change, its outgoing events (outbox) and, for a consumed event, its inbox record commit
together."""
