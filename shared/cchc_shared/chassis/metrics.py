"""The metrics a replica serves: the process's registry, every series labelled with the
replica (``CCHC_REPLICA``, by default the host name, which in Kubernetes is the pod's name),
so that the replicas of a service stay apart wherever their series end up (a federation, a
remote write, a dashboard summing by ``replica``), not only by Prometheus's target labels."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

REPLICA_LABEL = "replica"


class ReplicaLabelled(Collector):
    """The families of ``source``, each sample with ``replica`` added to its labels."""

    def __init__(self, replica: str, source: CollectorRegistry = REGISTRY) -> None:
        self.replica = replica
        self.source = source

    def collect(self) -> Iterator[Metric]:
        for family in self.source.collect():
            labelled = Metric(family.name, family.documentation, family.type, family.unit)
            labelled.samples = [
                sample._replace(labels={**sample.labels, REPLICA_LABEL: self.replica})
                for sample in family.samples
            ]
            yield labelled


def replica_registry(replica: str) -> CollectorRegistry:
    """What ``/metrics`` serves: the default registry, labelled with ``replica``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReplicaLabelled(replica))
    return registry
