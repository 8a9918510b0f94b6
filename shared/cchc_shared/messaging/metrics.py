"""The kit's own Prometheus metrics (one process per service, so the default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_BACKLOG = Gauge("cchc_outbox_backlog", "Outbox rows not yet confirmed by the broker")
OUTBOX_OLDEST_AGE = Gauge(
    "cchc_outbox_oldest_age_seconds", "Age of the oldest outbox row not yet confirmed"
)
OUTBOX_PUBLISHED = Counter("cchc_outbox_published_total", "Events confirmed by the broker")
OUTBOX_FAILURES = Counter(
    "cchc_outbox_publish_failures_total", "Publish attempts nacked, returned or timed out"
)
EVENTS_CONSUMED = Counter(
    "cchc_events_consumed_total",
    "Messages handled by consumers, by queue and outcome",
    ["queue", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "cchc_event_handler_seconds",
    "Time to decode and handle one message",
    ["queue"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_UNTRUSTED = Counter(
    "cchc_events_untrusted_total",
    "Messages parked because their publisher may not publish them, by queue and reason",
    ["queue", "reason"],
)
