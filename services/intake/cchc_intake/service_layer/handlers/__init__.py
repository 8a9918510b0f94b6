"""The write side, one module per use case: submissions, attachments, campaigns, reference
data, and other platforms' inbound initiatives. Each use case opens a unit of work, applies
its change and commits, or raises a ``DomainError``."""
