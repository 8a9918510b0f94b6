"""The edge for other city platforms: initiatives published on ``cchc.inbound``.

The kit's consumer decodes the CloudEvent and checks ``data`` against the contract, and
parks a message that the domain refuses (a ``DomainError``: unknown agency, closed campaign,
dates, duplicate title). This module answers every refused message with one
InitiativeRejected before the kit parks it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from cchc_intake.domain.inbound import KEPT_BODY_MAX, KeptMessage
from cchc_intake.service_layer.handlers import inbound
from cchc_intake.service_layer.services import Services
from cchc_shared.contracts import CloudEvent, FieldError, InboundInitiativeSubmittedV1
from cchc_shared.contracts.events import INBOUND_EXCHANGE, EventData
from cchc_shared.errors import InvalidInput
from cchc_shared.messaging.consumer import IncomingMessage, event_faults, headers_as_json
from cchc_shared.messaging.routing import Route, RoutingTable
from cchc_shared.messaging.topology import INBOUND_QUEUE, QueueSpec

log = logging.getLogger("cchc.services.inbound")

_SOURCE_MAX = 500  # the inbox's column sizes
_ID_MAX = 200


def _bounded(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def origin_of(incoming: IncomingMessage, event: CloudEvent | None) -> tuple[str, str]:
    """The (source, id) that names a refused message, as far as it can be read."""
    if event is not None:
        return _bounded(event.source, _SOURCE_MAX), _bounded(event.id, _ID_MAX)
    try:
        document: Any = json.loads(incoming.body)
    except (ValueError, RecursionError):  # not UTF-8 or JSON; nested too deep to read
        document = None
    attributes = document if isinstance(document, dict) else {}
    source = attributes.get("source")
    event_id = attributes.get("id")
    if not isinstance(source, str) or not source:
        source = f"amqp://{incoming.exchange or '(default)'}/{incoming.routing_key}"
    if not isinstance(event_id, str) or not event_id:
        event_id = incoming.message_id or "sha256:" + hashlib.sha256(incoming.body).hexdigest()
    return _bounded(source, _SOURCE_MAX), _bounded(event_id, _ID_MAX)


def kept_copy(incoming: IncomingMessage) -> KeptMessage | None:
    """The message as received, with the ``user_id`` the broker verified, for a replay
    (None for a message too large to keep)."""
    if len(incoming.body) > KEPT_BODY_MAX:
        return None
    return KeptMessage(
        body=incoming.body,
        headers=headers_as_json(incoming.headers),
        content_type=incoming.content_type,
        message_id=incoming.message_id,
        exchange=incoming.exchange,
        routing_key=incoming.routing_key,
        publisher=incoming.user_id,
    )


def _named_campaign(event: CloudEvent | None) -> int | None:
    """The campaign year a refused message named, if it is a plausible one."""
    data = event.data if event is not None else None
    year = data.get("campaign_year") if isinstance(data, dict) else None
    if isinstance(year, int) and not isinstance(year, bool) and 2000 <= year <= 2100:
        return year
    return None


async def on_inbound(services: Services, event: CloudEvent, data: EventData) -> None:
    assert isinstance(data, InboundInitiativeSubmittedV1)
    initiative = await inbound.accept_inbound(event, data, services.uow(), services.clock())
    if initiative is None:
        log.info(
            "repeated inbound message ignored",
            extra={"origin_source": event.source, "origin_id": event.id},
        )


async def on_rejected(
    services: Services,
    incoming: IncomingMessage,
    event: CloudEvent | None,
    errors: list[FieldError],
) -> None:
    if (
        event is not None
        and event.type == InboundInitiativeSubmittedV1.event_type()
        and isinstance(event.data, dict)
    ):
        named = {e.field.removeprefix("$.data.").split(".")[0].split("[")[0] for e in errors}
        extra = await inbound.faults_beyond_schema(
            services.uow(), event.data, named, services.clock()
        )
        # Extended in place: the kit parks the message with this same list as its reason.
        errors.extend(event_faults(InvalidInput(*extra)))
    source, origin_id = origin_of(incoming, event)
    await inbound.reject_inbound(
        inbound.RejectedMessage(
            origin_source=source,
            origin_id=origin_id,
            errors=[(e.field, e.message) for e in errors],
            campaign_year=_named_campaign(event),
            kept=kept_copy(incoming),
        ),
        services.uow(),
        services.clock(),
    )


# Every routing key of cchc.inbound comes to one queue ('#'), so that an unknown type is
# answered with InitiativeRejected instead of being silently unroutable.
INBOUND = QueueSpec("intake", INBOUND_EXCHANGE, "#", INBOUND_QUEUE)

ROUTES: RoutingTable[Services] = {
    InboundInitiativeSubmittedV1: Route(on_inbound, queue=INBOUND, on_rejected=on_rejected),
}
