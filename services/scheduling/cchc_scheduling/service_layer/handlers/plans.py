"""Plan proposals: the automatic planner plans the pool around the rounds already planned,
the proposal is stored for review, and accepting it makes its draft rounds."""

from __future__ import annotations

import asyncio
import time as clock
import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from uuid import UUID

from cchc_scheduling.domain.errors import proposal_not_found
from cchc_scheduling.domain.model import Member, PoolStatus, Round, Seat, TeamRole, Visit
from cchc_scheduling.domain.planner import (
    PlanInput,
    PlannerSettings,
    PlanProgress,
    PlanResult,
    ProposedRound,
    plan,
)
from cchc_scheduling.domain.planner.quality import plan_quality, plan_warnings
from cchc_scheduling.domain.planner.result import plan_metrics, relative_gap
from cchc_scheduling.ports import UnitOfWork
from cchc_scheduling.service_layer.handlers.rounds import assert_rules, audit
from cchc_scheduling.service_layer.services import SchedulingPolicy
from cchc_shared.auth import Principal
from cchc_shared.errors import Conflict, Fault, NotFound
from cchc_shared.reference import district_of


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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanRequest:
        """What ``as_json`` wrote (a job taken over by another replica starts from it)."""
        ids = data.get("initiative_ids")
        return cls(
            campaign_year=data["campaign_year"],
            initiative_ids=None if ids is None else tuple(UUID(i) for i in ids),
            first_day=date.fromisoformat(data["first_day"]) if data.get("first_day") else None,
            last_day=date.fromisoformat(data["last_day"]) if data.get("last_day") else None,
            seed=data.get("seed", 0),
            time_limit=data.get("time_limit"),
        )


@dataclass(frozen=True)
class Prepared:
    """The planner's input, read from the database, and what the plan's quality is measured
    against."""

    plan_input: PlanInput
    settings: PlannerSettings
    members: list[Member]
    working_days: list[date]
    unavailable: dict[str, frozenset[date]]


def rounds_json(rounds: list[ProposedRound], policy: SchedulingPolicy) -> list[dict[str, Any]]:
    return [
        {
            "team": [{"member_id": s.member_id, "role": s.role.value} for s in p.team],
            "visits": [
                {
                    "visit_id": str(v.visit_id),
                    "initiative_id": str(v.initiative_id),
                    "agency_code": v.agency_code,
                    "date": v.date.isoformat(),
                    "starts_at": v.starts_at.isoformat(timespec="minutes"),
                    "place": v.place or policy.default_place(v.agency_code),
                }
                for v in p.visits
            ],
        }
        for p in rounds
    ]


def plan_json(
    rounds: list[ProposedRound],
    objective: float,
    bound: float,
    status: str,
    prepared: Prepared,
    policy: SchedulingPolicy,
) -> dict[str, Any]:
    """A plan as the API shows it: its rounds, its objective against the bound, its quality in
    words and the warnings to read before accepting it."""
    quality = plan_quality(
        rounds, prepared.members, prepared.working_days, prepared.unavailable, district_of
    )
    gap = relative_gap(objective, bound)
    metrics = plan_metrics(
        rounds, prepared.members, status, objective, clock.perf_counter(), district_of
    )
    return {
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "quality": quality,
        "warnings": plan_warnings(quality, gap),
        "rounds": rounds_json(rounds, policy),
        "metrics": {k: v for k, v in metrics.__dict__.items() if k != "seconds"},
    }


def step_json(progress: PlanProgress) -> dict[str, Any]:
    return {
        "elapsed_seconds": progress.elapsed_seconds,
        "objective": progress.objective,
        "bound": progress.bound,
        "gap": progress.gap,
        "source": progress.source,
    }


def result_json(result: PlanResult, prepared: Prepared, policy: SchedulingPolicy) -> dict[str, Any]:
    body = plan_json(
        result.rounds,
        result.metrics.objective,
        result.bound,
        result.metrics.solver_status,
        prepared,
        policy,
    )
    body["metrics"] = result.metrics.__dict__
    body["solutions"] = [step_json(p) for p in result.solutions]
    return body


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


async def prepare(uow: UnitOfWork, request: PlanRequest, policy: SchedulingPolicy) -> Prepared:
    """The pool (or a selection) to plan around the rounds already planned, the roster and
    the calendar. Refuses initiatives outside the pool or already scheduled."""
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
                Fault(
                    "initiative_ids",
                    f"Sáng kiến không có trong danh sách chờ khảo sát năm {year}: "
                    + ", ".join(unknown),
                    f"initiatives not in the {year} pool: {', '.join(unknown)}",
                )
            )
        already = sorted(str(i) for i in wanted & scheduled)
        if already:
            raise Conflict(
                Fault(
                    "initiative_ids",
                    "Sáng kiến đã có lịch khảo sát: " + ", ".join(already),
                    f"initiatives already scheduled: {', '.join(already)}",
                )
            )
        pool = [i for i in pool if i.initiative_id in wanted]
    pool = [i for i in pool if i.initiative_id not in scheduled]
    busy: dict[str, set[date]] = {}
    for round_ in active:
        for member_id in round_.member_ids():
            busy.setdefault(member_id, set()).update(v.date for v in round_.visits)
    window = policy.window(year)
    plan_input = PlanInput(
        initiatives=pool,
        members=members,
        calendar=policy.calendar(year),
        window=window,
        parent_district=policy.parent_district,
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
    first = max(request.first_day or window.starts_on, window.starts_on)
    last = min(request.last_day or window.ends_on, window.ends_on)
    unavailable = {
        m.member_id: m.unavailable | plan_input.busy.get(m.member_id, frozenset()) for m in members
    }
    working_days = list(plan_input.calendar.working_days(first, last))
    return Prepared(plan_input, settings, members, working_days, unavailable)


async def store_proposal(
    uow: UnitOfWork,
    proposal_id: UUID,
    request: PlanRequest,
    body: dict[str, Any],
    created_by: str,
) -> None:
    async with uow:
        await uow.proposals.add(
            proposal_id, request.campaign_year, request.as_json(), body, created_by
        )
        await uow.commit()


async def propose_plan(
    uow: UnitOfWork, request: PlanRequest, policy: SchedulingPolicy, created_by: str
) -> tuple[UUID, dict[str, Any]]:
    """Plan while the request waits (the same steps as a job, to the end of the budget);
    stores the proposal for review. Raises PlanInfeasible naming the rule that cannot be met."""
    prepared = await prepare(uow, request, policy)
    result = await asyncio.to_thread(plan, prepared.plan_input, prepared.settings)
    body = result_json(result, prepared, policy)
    proposal_id = uuid.uuid4()
    await store_proposal(uow, proposal_id, request, body, created_by)
    return proposal_id, body


async def accept_proposal(
    uow: UnitOfWork, proposal_id: UUID, policy: SchedulingPolicy, actor: Principal
) -> list[Round]:
    """Turn a proposal into draft rounds, checked again against the plan as it is now."""
    async with uow:
        found = await uow.proposals.get(proposal_id)
        if found is None:
            raise proposal_not_found(proposal_id)
        if found["status"] != "proposed":
            raise Conflict(
                Fault(
                    "proposal_id",
                    "Phương án đã được xử lý trước đó",
                    f"plan proposal {proposal_id} was already {found['status']}",
                )
            )
        drafts = rounds_from_json(found["campaign_year"], found["result"])
        if drafts:
            await assert_rules(uow, drafts, policy)
        for draft in drafts:
            await uow.rounds.add(draft)
            await audit(uow, draft, "drafted_from_plan", actor)
        if not await uow.proposals.mark(proposal_id, "accepted"):
            raise Conflict(
                Fault(
                    "proposal_id",
                    "Phương án vừa được xử lý",
                    "the proposal was accepted concurrently",
                )
            )
        await uow.commit()
        return drafts
