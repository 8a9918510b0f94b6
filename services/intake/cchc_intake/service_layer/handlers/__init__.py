"""The write side, one module per use case: submissions, attachments, campaigns, reference
data, other platforms' inbound initiatives, and the reminders of unsubmitted drafts. Each use
case opens a unit of work, applies its change and commits, or raises a ``DomainError``."""
