"""Every series a replica serves carries its ``replica`` label (CCHC_REPLICA, by default the
host name: the pod's name in Kubernetes)."""

from __future__ import annotations

import socket

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from cchc_shared.chassis.metrics import ReplicaLabelled, replica_registry
from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.messaging import metrics


def test_every_sample_gets_the_replica_label_and_keeps_its_own() -> None:
    source = CollectorRegistry()
    consumed = Counter("probe_consumed_total", "probe", ["queue"], registry=source)
    consumed.labels("intake.inbound").inc(3)
    Histogram("probe_seconds", "probe", registry=source).observe(0.2)
    served = CollectorRegistry(auto_describe=False)
    served.register(ReplicaLabelled("intake-7d9f5-x2k4q", source))
    samples = [
        line for line in generate_latest(served).decode().splitlines() if not line.startswith("#")
    ]
    assert samples
    assert all('replica="intake-7d9f5-x2k4q"' in line for line in samples), samples
    assert (
        'probe_consumed_total{queue="intake.inbound",replica="intake-7d9f5-x2k4q"} 3.0' in samples
    )


def test_the_kit_registry_labels_the_process_metrics() -> None:
    metrics.OUTBOX_BACKLOG.set(0)  # the kit's metrics, in the default registry
    exposition = generate_latest(replica_registry("scheduling#2")).decode()
    assert 'cchc_outbox_backlog{replica="scheduling#2"}' in exposition


def test_the_replica_is_the_host_name_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_REPLICA", raising=False)
    assert ServiceSettings().replica == socket.gethostname()
    monkeypatch.setenv("CCHC_REPLICA", "reporting-0")
    assert ServiceSettings().replica == "reporting-0"
