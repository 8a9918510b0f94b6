"""The write side: one module per use case (events received, delivery, reminders and
digests, people's choices)."""
