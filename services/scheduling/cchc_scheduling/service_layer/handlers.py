"""Use cases of the scheduling service. Each runs in one unit of work: the state change,
its outgoing events (outbox) and, for consumed events, the inbox record commit together."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from cchc_scheduling.adapters.holiday_calendar import vietnam_calendar
from cchc_scheduling.domain.calendar import WorkingCalendar
from cchc_scheduling.domain.errors import Conflict, NotFound, SchedulingError
from cchc_scheduling.domain.model import (
    Member,
    PoolInitiative,
    PoolStatus,
    Round,
    RoundStatus,
    Seat,
    SurveyWindow,
    TeamRole,
    Visit,
)
from cchc_scheduling.domain.planner import (
    PlanInput,
    PlannerSettings,
    PlanResult,
    plan,
)
from cchc_scheduling.domain.rules import PlanContext, RuleSettings, Violation, check_rounds
from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import (
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.reference import district_of, get_agency

POOL_CONSUMER = "scheduling.pool"
WITHDRAWAL_REASON = "Đơn vị đã rút sáng kiến khỏi đợt khảo sát"


class MemberRepository(Protocol):
    async def get(self, member_id: str) -> Member | None: ...
    async def list(self, *, active_only: bool = False) -> list[Member]: ...
    async def add(self, member: Member) -> None: ...
    async def save(self, member: Member) -> None: ...
    async def count(self) -> int: ...


class PoolRepository(Protocol):
    async def get(self, initiative_id: UUID) -> PoolInitiative | None: ...
    async def list(
        self, campaign_year: int | None = None, status: PoolStatus | None = None
    ) -> list[PoolInitiative]: ...
    async def put(self, initiative: PoolInitiative, *, new: bool) -> None: ...


class RoundRepository(Protocol):
    async def get(self, round_id: UUID) -> Round | None: ...
    async def find(
        self,
        campaign_year: int | None = None,
        *,
        active_only: bool = False,
        member_id: str | None = None,
        agency_code: str | None = None,
        statuses: tuple[RoundStatus, ...] = (),
    ) -> list[Round]: ...
    async def with_visit_of(self, initiative_id: UUID) -> list[Round]: ...
    async def max_sequence(self, campaign_year: int) -> int: ...
    async def add(self, round_: Round) -> None: ...
    async def save(self, round_: Round) -> None: ...


class ProposalRepository(Protocol):
    async def add(
        self,
        proposal_id: UUID,
        campaign_year: int,
        request: dict[str, Any],
        result: dict[str, Any],
        created_by: str,
    ) -> None: ...
    async def get(self, proposal_id: UUID) -> dict[str, Any] | None: ...
    async def mark(self, proposal_id: UUID, status: str) -> bool: ...


class UnitOfWork(Protocol):
    @property
    def members(self) -> MemberRepository: ...
    @property
    def pool(self) -> PoolRepository: ...
    @property
    def rounds(self) -> RoundRepository: ...
    @property
    def proposals(self) -> ProposalRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def accept_once(self, consumer: str, event: CloudEvent) -> bool: ...
    async def commit(self) -> None: ...


UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class SchedulingPolicy:
    """What the rules and the planner need besides the data: limits and the calendar."""

    max_visits_per_day: int = 3
    visit_minutes: int = 90
    planner_time_limit: float = 20.0
    start_times: tuple[time, ...] = (time(8, 0), time(9, 45), time(14, 0))
    min_team_size: int = 3
    max_team_size: int = 6

    def calendar(self, year: int) -> WorkingCalendar:
        return vietnam_calendar((year,))

    def window(self, year: int) -> SurveyWindow:
        return SurveyWindow.default_for(year)

    def rule_settings(self) -> RuleSettings:
        return RuleSettings(self.max_visits_per_day, self.visit_minutes)


class PlanViolations(SchedulingError):
    """A plan breaks rules; every violation is named."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(
            "; ".join(f"{v.rule.value}: {v.message_en}" for v in violations),
            "; ".join(v.message_vi for v in violations),
            violations[0].field if violations else "",
        )
        self.violations = violations


def parent_district(code: str) -> str | None:
    agency = get_agency(code)
    return agency.parent_code if agency else None


def default_place(agency_code: str) -> str:
    agency = get_agency(agency_code)
    return f"Trụ sở {agency.name}" if agency else agency_code


def now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------
# The pool, from intake's events


async def initiative_submitted(
    uow: UnitOfWork, event: CloudEvent, data: InitiativeSubmittedV1 | InitiativeAmendedV1
) -> None:
    """Submitted and amended events both carry the whole initiative; the newest wins
    (queues are separate, so an amendment may arrive before its submission)."""
    changed_at = data.amended_at if isinstance(data, InitiativeAmendedV1) else data.submitted_at
    async with uow:
        if not await uow.accept_once(POOL_CONSUMER, event):
            return
        current = await uow.pool.get(data.initiative_id)
        if current is not None and current.updated_at >= changed_at:
            await uow.commit()  # an older event: recorded as seen, nothing changes
            return
        status = current.status if current is not None else PoolStatus.IN_POOL
        entry = PoolInitiative(
            initiative_id=data.initiative_id,
            campaign_year=data.campaign_year,
            agency_code=data.agency_code,
            kind=data.kind,
            title=data.title,
            par_area=data.par_area,
            status=status,
            updated_at=changed_at,
        )
        await uow.pool.put(entry, new=current is None)
        await uow.commit()


async def initiative_withdrawn(
    uow: UnitOfWork, event: CloudEvent, data: InitiativeWithdrawnV1
) -> None:
    """The initiative leaves the pool and every visit of it that has not taken place."""
    async with uow:
        if not await uow.accept_once(POOL_CONSUMER, event):
            return
        current = await uow.pool.get(data.initiative_id)
        if current is None:  # withdrawn before its submission reached us: a tombstone
            entry = PoolInitiative(
                data.initiative_id,
                data.campaign_year,
                data.agency_code,
                "initiative",
                "(đã rút)",
                "procedures",
                PoolStatus.WITHDRAWN,
                data.withdrawn_at,
            )
            await uow.pool.put(entry, new=True)
        else:
            await uow.pool.put(
                replace(
                    current,
                    status=PoolStatus.WITHDRAWN,
                    updated_at=max(current.updated_at, data.withdrawn_at),
                ),
                new=False,
            )
        members = {m.member_id: m for m in await uow.members.list()}
        reason = WITHDRAWAL_REASON + (f": {data.reason}" if data.reason else "")
        for round_ in await uow.rounds.with_visit_of(data.initiative_id):
            if round_.drop_visits_of(data.initiative_id, now(), members, reason):
                await uow.rounds.save(round_)
        await uow.commit()


# --------------------------------------------------------------------------------------
# The roster


DEFAULT_ROSTER: list[Member] = []


async def seed_roster(uow: UnitOfWork, roster: Sequence[Member]) -> int:
    """Seed the default roster into an empty roster (never over a managed one)."""
    async with uow:
        if await uow.members.count():
            return 0
        for member in roster:
            await uow.members.add(member)
        await uow.commit()
        return len(roster)


async def add_member(uow: UnitOfWork, member: Member) -> Member:
    async with uow:
        if await uow.members.get(member.member_id) is not None:
            raise Conflict(
                f"member {member.member_id} already exists",
                f"Thành viên {member.member_id} đã có trong danh sách",
                "member_id",
            )
        await uow.members.add(member)
        await uow.commit()
        return member


async def update_member(uow: UnitOfWork, member: Member) -> Member:
    async with uow:
        if await uow.members.get(member.member_id) is None:
            raise _member_not_found(member.member_id)
        await uow.members.save(member)
        await uow.commit()
        return member


async def get_member(uow: UnitOfWork, member_id: str) -> Member:
    async with uow:
        member = await uow.members.get(member_id)
        if member is None:
            raise _member_not_found(member_id)
        return member


def _member_not_found(member_id: str) -> NotFound:
    return NotFound(
        f"member {member_id} not found", f"Không tìm thấy thành viên {member_id}", "member_id"
    )


# --------------------------------------------------------------------------------------
# Rounds


async def _context(uow: UnitOfWork, year: int, policy: SchedulingPolicy) -> PlanContext:
    members = {m.member_id: m for m in await uow.members.list()}
    pool = {i.initiative_id: i for i in await uow.pool.list(year)}
    return PlanContext(
        members,
        pool,
        policy.calendar(year),
        policy.window(year),
        parent_district,
        policy.rule_settings(),
    )


async def check_round(uow: UnitOfWork, round_: Round, policy: SchedulingPolicy) -> list[Violation]:
    """Violations of a round against the campaign's other active rounds (read only)."""
    context = await _context(uow, round_.campaign_year, policy)
    others = await uow.rounds.find(round_.campaign_year, active_only=True)
    return check_rounds([round_], others, context)


async def _assert_rules(uow: UnitOfWork, rounds: list[Round], policy: SchedulingPolicy) -> None:
    year = rounds[0].campaign_year
    context = await _context(uow, year, policy)
    others = await uow.rounds.find(year, active_only=True)
    violations = check_rounds(rounds, others, context)
    if violations:
        raise PlanViolations(violations)


def _with_places(visits: list[Visit]) -> list[Visit]:
    return [v if v.place else replace(v, place=default_place(v.agency_code)) for v in visits]


async def create_round(
    uow: UnitOfWork,
    campaign_year: int,
    team: list[Seat],
    visits: list[Visit],
    title: str,
    policy: SchedulingPolicy,
) -> Round:
    round_ = Round(uuid.uuid4(), campaign_year, team, _with_places(visits), title=title)
    async with uow:
        await _assert_rules(uow, [round_], policy)
        await uow.rounds.add(round_)
        await uow.commit()
    return round_


async def _round(uow: UnitOfWork, round_id: UUID) -> Round:
    round_ = await uow.rounds.get(round_id)
    if round_ is None:
        raise NotFound(
            f"round {round_id} not found", f"Không tìm thấy đợt khảo sát {round_id}", "round_id"
        )
    return round_


async def get_round(uow: UnitOfWork, round_id: UUID) -> Round:
    async with uow:
        return await _round(uow, round_id)


async def update_round(
    uow: UnitOfWork,
    round_id: UUID,
    team: list[Seat],
    visits: list[Visit],
    title: str | None,
    reason: str,
    policy: SchedulingPolicy,
) -> Round:
    """A draft is edited in place; a confirmed round is rescheduled (and says so)."""
    async with uow:
        round_ = await _round(uow, round_id)
        visits = _with_places(visits)
        if round_.status is RoundStatus.CONFIRMED:
            if not reason.strip():
                raise SchedulingError(
                    "rescheduling a confirmed round needs a reason",
                    "Cần nêu lý do điều chỉnh lịch của đợt khảo sát đã thông báo",
                    "reason",
                )
            candidate = Round(round_id, round_.campaign_year, team, visits)
            await _assert_rules(uow, [candidate], policy)
            members = {m.member_id: m for m in await uow.members.list()}
            round_.reschedule(team, visits, reason, members)
        else:
            candidate = Round(round_id, round_.campaign_year, team, visits)
            if round_.status is RoundStatus.DRAFT:
                await _assert_rules(uow, [candidate], policy)
            round_.replace_plan(team, visits)
        if title is not None:
            round_.title = title
        await uow.rounds.save(round_)
        await uow.commit()
        return round_


async def confirm_round(uow: UnitOfWork, round_id: UUID, policy: SchedulingPolicy) -> Round:
    async with uow:
        round_ = await _round(uow, round_id)
        if round_.status is RoundStatus.DRAFT:
            # The roster or the pool may have changed since the draft: check again.
            await _assert_rules(uow, [round_], policy)
        members = {m.member_id: m for m in await uow.members.list()}
        sequence = await uow.rounds.max_sequence(round_.campaign_year) + 1
        round_.confirm(sequence, members, now())
        await uow.rounds.save(round_)
        await uow.commit()
        return round_


async def cancel_round(uow: UnitOfWork, round_id: UUID, reason: str) -> Round:
    async with uow:
        round_ = await _round(uow, round_id)
        if round_.status is RoundStatus.CONFIRMED and not reason.strip():
            raise SchedulingError(
                "cancelling a confirmed round needs a reason",
                "Cần nêu lý do hủy đợt khảo sát đã thông báo",
                "reason",
            )
        round_.cancel(reason, now())
        await uow.rounds.save(round_)
        await uow.commit()
        return round_


# --------------------------------------------------------------------------------------
# Plan proposals


@dataclass(frozen=True)
class PlanRequest:
    campaign_year: int
    initiative_ids: tuple[UUID, ...] | None = None
    first_day: date | None = None
    last_day: date | None = None
    seed: int = 0
    time_limit: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "campaign_year": self.campaign_year,
            "initiative_ids": None
            if self.initiative_ids is None
            else [str(i) for i in self.initiative_ids],
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "seed": self.seed,
            "time_limit": self.time_limit,
        }


def result_json(result: PlanResult) -> dict[str, Any]:
    return {
        "rounds": [
            {
                "team": [{"member_id": s.member_id, "role": s.role.value} for s in p.team],
                "visits": [
                    {
                        "visit_id": str(v.visit_id),
                        "initiative_id": str(v.initiative_id),
                        "agency_code": v.agency_code,
                        "date": v.date.isoformat(),
                        "starts_at": v.starts_at.isoformat(timespec="minutes"),
                        "place": v.place or default_place(v.agency_code),
                    }
                    for v in p.visits
                ],
            }
            for p in result.rounds
        ],
        "metrics": result.metrics.__dict__,
    }


def rounds_from_json(campaign_year: int, result: dict[str, Any]) -> list[Round]:
    return [
        Round(
            round_id=uuid.uuid4(),
            campaign_year=campaign_year,
            team=[Seat(s["member_id"], TeamRole(s["role"])) for s in item["team"]],
            visits=[
                Visit(
                    UUID(v["visit_id"]),
                    UUID(v["initiative_id"]),
                    v["agency_code"],
                    date.fromisoformat(v["date"]),
                    time.fromisoformat(v["starts_at"]),
                    v["place"],
                )
                for v in item["visits"]
            ],
        )
        for item in result["rounds"]
    ]


async def propose_plan(
    uow: UnitOfWork, request: PlanRequest, policy: SchedulingPolicy, created_by: str
) -> tuple[UUID, dict[str, Any]]:
    """Plan the pool (or a selection) around the rounds already planned; stores the
    proposal for review. Raises PlanInfeasible naming the rule that cannot be met."""
    year = request.campaign_year
    async with uow:
        members = await uow.members.list(active_only=True)
        pool = await uow.pool.list(year, PoolStatus.IN_POOL)
        active = await uow.rounds.find(year, active_only=True)
    scheduled = {v.initiative_id for r in active for v in r.visits}
    if request.initiative_ids is not None:
        wanted = set(request.initiative_ids)
        known = {i.initiative_id for i in pool}
        unknown = sorted(str(i) for i in wanted - known)
        if unknown:
            raise NotFound(
                f"initiatives not in the {year} pool: {', '.join(unknown)}",
                f"Sáng kiến không có trong danh sách chờ khảo sát năm {year}: "
                + ", ".join(unknown),
                "initiative_ids",
            )
        already = sorted(str(i) for i in wanted & scheduled)
        if already:
            raise Conflict(
                f"initiatives already scheduled: {', '.join(already)}",
                "Sáng kiến đã có lịch khảo sát: " + ", ".join(already),
                "initiative_ids",
            )
        pool = [i for i in pool if i.initiative_id in wanted]
    pool = [i for i in pool if i.initiative_id not in scheduled]
    busy: dict[str, set[date]] = {}
    for round_ in active:
        for member_id in round_.member_ids():
            busy.setdefault(member_id, set()).update(v.date for v in round_.visits)
    plan_input = PlanInput(
        initiatives=pool,
        members=members,
        calendar=policy.calendar(year),
        window=policy.window(year),
        parent_district=parent_district,
        cluster_of=district_of,
        first_day=request.first_day,
        last_day=request.last_day,
        busy={k: frozenset(v) for k, v in busy.items()},
    )
    settings = PlannerSettings(
        max_visits_per_day=policy.max_visits_per_day,
        start_times=policy.start_times,
        min_team_size=policy.min_team_size,
        max_team_size=policy.max_team_size,
        time_limit_seconds=request.time_limit or policy.planner_time_limit,
        seed=request.seed,
    )
    result = await asyncio.to_thread(plan, plan_input, settings)
    body = result_json(result)
    proposal_id = uuid.uuid4()
    async with uow:
        await uow.proposals.add(proposal_id, year, request.as_json(), body, created_by)
        await uow.commit()
    return proposal_id, body


async def get_proposal(uow: UnitOfWork, proposal_id: UUID) -> dict[str, Any]:
    async with uow:
        found = await uow.proposals.get(proposal_id)
    if found is None:
        raise NotFound(
            f"plan proposal {proposal_id} not found",
            f"Không tìm thấy phương án {proposal_id}",
            "proposal_id",
        )
    return found


async def accept_proposal(
    uow: UnitOfWork, proposal_id: UUID, policy: SchedulingPolicy
) -> list[Round]:
    """Turn a proposal into draft rounds, checked again against the plan as it is now."""
    async with uow:
        found = await uow.proposals.get(proposal_id)
        if found is None:
            raise NotFound(
                f"plan proposal {proposal_id} not found",
                f"Không tìm thấy phương án {proposal_id}",
                "proposal_id",
            )
        if found["status"] != "proposed":
            raise Conflict(
                f"plan proposal {proposal_id} was already {found['status']}",
                "Phương án đã được xử lý trước đó",
                "proposal_id",
            )
        drafts = rounds_from_json(found["campaign_year"], found["result"])
        if drafts:
            await _assert_rules(uow, drafts, policy)
        for draft in drafts:
            await uow.rounds.add(draft)
        if not await uow.proposals.mark(proposal_id, "accepted"):
            raise Conflict(
                "the proposal was accepted concurrently", "Phương án vừa được xử lý", "proposal_id"
            )
        await uow.commit()
        return drafts
