"""Message entry points: evaluation's recommendations feed the candidates through the inbox.

``ROUTES`` is the service's one list of what it consumes; the kit derives its queues and
FastStream subscribers from it (``cchc_shared.messaging.routing``)."""

from __future__ import annotations

from cchc_replication.service_layer import handlers
from cchc_replication.service_layer.services import Services
from cchc_shared.contracts import CloudEvent, ReplicationRecommendedV1
from cchc_shared.messaging.routing import RoutingTable


async def on_recommended(
    services: Services, event: CloudEvent, data: ReplicationRecommendedV1
) -> None:
    await handlers.on_recommended(services.uow(), event, data)


ROUTES: RoutingTable[Services] = {ReplicationRecommendedV1: on_recommended}
