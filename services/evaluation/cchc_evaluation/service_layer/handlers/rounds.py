"""What scheduling announces of survey rounds: their team and visits, or their cancellation.
Events may come in any order and more than once (a cancellation may arrive before the round).
A round's state does not alter any PAR-Index contribution."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cchc_evaluation.domain.knowledge import (
    RESCHEDULED_RANK,
    SCHEDULED_RANK,
    Round,
    RoundStatus,
    TeamMember,
    Visit,
)
from cchc_evaluation.service_layer.handlers.inbound import accept_locked
from cchc_evaluation.service_layer.services import Services
from cchc_shared import clock
from cchc_shared.contracts import (
    CloudEvent,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
)
from cchc_shared.errors import Fault, InvalidInput


def _event_time(event: CloudEvent) -> datetime:
    return event.time.astimezone(UTC) if event.time is not None else clock.now()


async def on_round_state(
    services: Services,
    consumer: str,
    event: CloudEvent,
    data: RoundScheduledV1 | RoundRescheduledV1,
) -> None:
    _check_round_event(data)
    rank = RESCHEDULED_RANK if isinstance(data, RoundRescheduledV1) else SCHEDULED_RANK
    team = [TeamMember(m.member_id, m.name, m.role, m.agency_code) for m in data.team]
    visits = [
        Visit(v.visit_id, data.round_id, v.initiative_id, v.agency_code, v.date, v.starts_at)
        for v in data.visits
    ]
    async with services.uow() as uow:
        if not await accept_locked(uow, consumer, event, data.round_id):
            return
        round_ = await uow.rounds.get(data.round_id)
        state: dict[str, Any] = {
            "sequence": data.sequence,
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "team": team,
            "visits": visits,
            "as_of": _event_time(event),
            "rank": rank,
        }
        if round_ is None:
            round_ = Round(data.round_id, data.campaign_year, data.sequence, RoundStatus.SCHEDULED)
            round_.apply_state(**state)
            await uow.rounds.add(round_)
        elif round_.apply_state(**state):
            await uow.rounds.update(round_)
        await uow.commit()


def _check_round_event(data: RoundScheduledV1) -> None:
    """A round whose team or visits repeat an id can never be stored: refuse it (the kit
    parks the event with these fields of its data at fault)."""
    faults = []
    for name, ids in (
        ("team", [m.member_id for m in data.team]),
        ("visits", [str(v.visit_id) for v in data.visits]),
    ):
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                key = "member_id" if name == "team" else "visit_id"
                faults.append(
                    Fault(
                        f"{name}[{i}].{key}",
                        f"{ident} bị lặp trong đợt khảo sát",
                        f"{ident} appears twice in the round",
                    )
                )
            seen.add(ident)
    if faults:
        raise InvalidInput(*faults)


async def on_round_cancelled(
    services: Services, consumer: str, event: CloudEvent, data: RoundCancelledV1
) -> None:
    async with services.uow() as uow:
        if not await accept_locked(uow, consumer, event, data.round_id):
            return
        round_ = await uow.rounds.get(data.round_id)
        is_new = round_ is None
        if round_ is None:  # cancelled before its schedule arrived
            round_ = Round(data.round_id, data.campaign_year, data.sequence, RoundStatus.CANCELLED)
        round_.cancel(data.cancelled_at, data.reason)
        await (uow.rounds.add if is_new else uow.rounds.update)(round_)
        await uow.commit()
