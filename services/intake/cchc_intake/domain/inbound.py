"""An inbound message refused at the edge, kept as it was received so that the PAR office
can have it processed again once the cause is fixed (a campaign opened, reference data
completed).

Why a kept copy, and not a republish through the broker: the bus believes an inbound
initiative only from a registered platform's broker user, which the broker itself verifies
(the AMQP ``user_id``). A replay through the broker would need a user that may vouch for
another publisher, the operator's, which neither the portal nor intake holds. Intake instead
keeps, when it refuses a message, the body, the headers and the ``user_id`` the broker had
verified, in its own database, and a replay runs that copy through the same consumer as a
delivery (decoding, trust check with that verified user, handler, inbox). Nobody's identity
is added on the way: the publisher stays the platform, never the person or the portal who
asked for the replay; and the inbox makes a second replay of a taken message change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

# A larger message is not kept (the operator's `cchc dlq replay` still can replay it).
KEPT_BODY_MAX = 1024 * 1024


@dataclass(frozen=True)
class KeptMessage:
    """The AMQP message as intake received it; ``publisher`` is the broker user the broker
    verified (its ``user_id``), None when the message carried none."""

    body: bytes
    headers: dict[str, Any]  # as the kit's ``headers_as_json`` wrote them
    content_type: str | None
    message_id: str | None
    exchange: str
    routing_key: str
    publisher: str | None


@dataclass(frozen=True)
class Rejection:
    id: UUID  # the id of the InitiativeRejected that answered the message
    origin_source: str
    origin_id: str
    campaign_year: int | None
    errors: list[dict[str, str]]  # the latest refusal's faults: {field, message}
    message: KeptMessage
    received_at: datetime
    rejected_at: datetime
    replays: int = 0
    replayed_at: datetime | None = None
    replayed_by: str | None = None
