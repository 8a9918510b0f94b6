"""Survey rounds: drafted and edited against every rule, confirmed (numbered and announced),
rescheduled with a reason, cancelled. A round's events leave through the outbox with the
change (the unit of work publishes what the round recorded)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from uuid import UUID

from cchc_scheduling.domain.errors import reason_required
from cchc_scheduling.domain.model import Round, RoundStatus, Seat, Visit
from cchc_scheduling.domain.rules import PlanViolations
from cchc_scheduling.ports import UnitOfWork
from cchc_scheduling.service_layer.queries import members_in, round_in, violations_in
from cchc_scheduling.service_layer.services import SchedulingPolicy, now
from cchc_shared.auth import Principal
from cchc_shared.persistence.audit import AuditEntry


async def audit(
    uow: UnitOfWork, round_: Round, action: str, actor: Principal, reason: str = ""
) -> None:
    """Record who did ``action`` to the round, with the round as it is after it."""
    await uow.audit.record(
        AuditEntry(
            "round",
            str(round_.round_id),
            action,
            actor.subject,
            now(),
            round_.snapshot(),
            reason.strip() or None,
            actor_name=actor.display_name,
        )
    )


async def assert_rules(uow: UnitOfWork, rounds: list[Round], policy: SchedulingPolicy) -> None:
    """Refuse rounds that break a rule, naming every violation."""
    violations = await violations_in(uow, rounds, policy)
    if violations:
        raise PlanViolations(violations)


def with_places(visits: list[Visit], policy: SchedulingPolicy) -> list[Visit]:
    return [v if v.place else replace(v, place=policy.default_place(v.agency_code)) for v in visits]


async def create_round(
    uow: UnitOfWork,
    campaign_year: int,
    team: list[Seat],
    visits: list[Visit],
    title: str,
    policy: SchedulingPolicy,
    actor: Principal,
) -> Round:
    round_ = Round(uuid.uuid4(), campaign_year, team, with_places(visits, policy), title=title)
    async with uow:
        await assert_rules(uow, [round_], policy)
        await uow.rounds.add(round_)
        await audit(uow, round_, "drafted", actor)
        await uow.commit()
    return round_


async def update_round(
    uow: UnitOfWork,
    round_id: UUID,
    team: list[Seat],
    visits: list[Visit],
    title: str | None,
    reason: str,
    policy: SchedulingPolicy,
    actor: Principal,
) -> Round:
    """A draft is edited in place; a confirmed round is rescheduled (and says so)."""
    async with uow:
        round_ = await round_in(uow, round_id)
        visits = with_places(visits, policy)
        candidate = Round(round_id, round_.campaign_year, team, visits)
        if round_.status is RoundStatus.CONFIRMED:
            if not reason.strip():
                raise reason_required(
                    "Cần nêu lý do điều chỉnh lịch của đợt khảo sát đã thông báo",
                    "rescheduling a confirmed round needs a reason",
                )
            await assert_rules(uow, [candidate], policy)
            round_.reschedule(team, visits, reason, await members_in(uow))
            action = "rescheduled"
        else:
            if round_.status is RoundStatus.DRAFT:
                await assert_rules(uow, [candidate], policy)
            round_.replace_plan(team, visits)
            action = "edited"
        if title is not None:
            round_.title = title
        await uow.rounds.save(round_)
        await audit(uow, round_, action, actor, reason)
        await uow.commit()
        return round_


async def confirm_round(
    uow: UnitOfWork, round_id: UUID, policy: SchedulingPolicy, actor: Principal
) -> Round:
    async with uow:
        round_ = await round_in(uow, round_id)
        if round_.status is RoundStatus.DRAFT:
            # The roster or the pool may have changed since the draft: check again.
            await assert_rules(uow, [round_], policy)
        sequence = await uow.rounds.max_sequence(round_.campaign_year) + 1
        round_.confirm(sequence, await members_in(uow), now())
        await uow.rounds.save(round_)
        await audit(uow, round_, "confirmed", actor)
        await uow.commit()
        return round_


async def cancel_round(uow: UnitOfWork, round_id: UUID, reason: str, actor: Principal) -> Round:
    async with uow:
        round_ = await round_in(uow, round_id)
        if round_.status is RoundStatus.CONFIRMED and not reason.strip():
            raise reason_required(
                "Cần nêu lý do hủy đợt khảo sát đã thông báo",
                "cancelling a confirmed round needs a reason",
            )
        round_.cancel(reason, now())
        await uow.rounds.save(round_)
        await audit(uow, round_, "cancelled", actor, reason)
        await uow.commit()
        return round_
