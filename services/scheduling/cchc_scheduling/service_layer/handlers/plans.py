"""Plan proposals: the automatic planner plans the pool around the rounds already planned,
the proposal is stored for review, and accepting it makes its draft rounds."""

from __future__ import annotations

import asyncio
import threading
import time as clock
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, time
from typing import Any
from uuid import UUID

from cchc_scheduling.domain.errors import proposal_not_found
from cchc_scheduling.domain.model import (
    Member,
    PoolInitiative,
    PoolStatus,
    Round,
    RoundStatus,
    Seat,
    TeamRole,
    Visit,
)
from cchc_scheduling.domain.planner import (
    PlanInput,
    PlannerSettings,
    PlanProgress,
    PlanResult,
    ProposedRound,
    plan,
)
from cchc_scheduling.domain.planner.quality import plan_quality, plan_warnings
from cchc_scheduling.domain.planner.repair import Repair, repair
from cchc_scheduling.domain.planner.result import plan_metrics, plan_objective, relative_gap
from cchc_scheduling.ports import UnitOfWork
from cchc_scheduling.service_layer.handlers.rounds import assert_rules, audit
from cchc_scheduling.service_layer.queries import members_in
from cchc_scheduling.service_layer.services import SchedulingPolicy, now
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
    repair_of: tuple[UUID, ...] | None = None  # rounds to repair instead of planning anew
    cancelled_days: tuple[date, ...] = ()
    reason: str = ""  # said to the people re-notified

    def as_json(self) -> dict[str, Any]:
        return {
            "repair_of": None if self.repair_of is None else [str(i) for i in self.repair_of],
            "changes": {
                "cancelled_days": [d.isoformat() for d in self.cancelled_days],
                "reason": self.reason,
            },
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
            repair_of=None
            if data.get("repair_of") is None
            else tuple(UUID(i) for i in data["repair_of"]),
            cancelled_days=tuple(
                date.fromisoformat(d) for d in data.get("changes", {}).get("cancelled_days", ())
            ),
            reason=data.get("changes", {}).get("reason", ""),
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
    repair_of: list[Round] | None = None  # a repair: these rounds, around the others
    others: list[Round] = dataclass_field(default_factory=list)
    late: list[PoolInitiative] = dataclass_field(default_factory=list)
    cancelled_days: frozenset[date] = frozenset()

    def run(
        self,
        on_solution: Callable[[PlanProgress], None] | None = None,
        stop: threading.Event | None = None,
    ) -> PlanResult | Repair:
        """Plan (reporting each improved plan), or repair: the same steps for the request
        while it waits and for a job."""
        if self.repair_of is not None:
            return repair(
                self.repair_of,
                self.others,
                self.late,
                self.plan_input,
                self.settings,
                self.cancelled_days,
            )
        return plan(self.plan_input, self.settings, on_solution=on_solution, stop=stop)


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


def repair_json(fix: Repair, prepared: Prepared, policy: SchedulingPolicy) -> dict[str, Any]:
    """A repair as the API shows it: the difference (what moves, who must be told), round by
    round, before anything is confirmed; ``rounds`` are the new rounds it needs."""
    after = fix.rounds_after()
    objective = plan_objective(after, [m.member_id for m in prepared.members])
    body = plan_json(after, objective, objective if fix.proven else 0.0, "REPAIR", prepared, policy)
    body["rounds"] = rounds_json(fix.new_rounds, policy)
    body["repair"] = {
        "visits_moved": len(fix.moved),
        "people_to_notify": fix.people_to_notify,
        "agencies_to_notify": fix.agencies_to_notify,
        "moved": [
            {
                "visit_id": str(m.visit_id),
                "initiative_id": str(m.initiative_id),
                "agency_code": m.agency_code,
                "round_id": str(m.round_id),
                "from": {"date": m.from_date.isoformat(), "starts_at": m.from_time.isoformat()},
                "to": None
                if m.to_date is None or m.to_time is None
                else {"date": m.to_date.isoformat(), "starts_at": m.to_time.isoformat()},
            }
            for m in fix.moved
        ],
        "dropped": [str(v.visit_id) for v in fix.dropped],
        "added": [str(i) for i in fix.added],
        "changes": [
            {
                "round_id": str(c.round_id),
                "status": c.status.value,
                "version": c.version,
                "action": c.action,
                "members_added": c.members_added,
                "members_removed": c.members_removed,
                "notify": c.notify,
                **rounds_json([ProposedRound(c.team, c.visits)], policy)[0],
            }
            for c in fix.changes
        ],
    }
    return body


def outcome_json(
    outcome: PlanResult | Repair, prepared: Prepared, policy: SchedulingPolicy
) -> dict[str, Any]:
    if isinstance(outcome, Repair):
        return repair_json(outcome, prepared, policy)
    return result_json(outcome, prepared, policy)


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
    the calendar; for a repair, the rounds to repair and the late initiatives to add. Refuses
    initiatives outside the pool or already scheduled, and rounds that are not active."""
    year = request.campaign_year
    async with uow:
        members = await uow.members.list(active_only=True)
        pool = await uow.pool.list(year, PoolStatus.IN_POOL)
        active = await uow.rounds.find(year, active_only=True)
    to_repair = None if request.repair_of is None else _rounds_to_repair(request, active)
    if to_repair is not None:
        repaired = {r.round_id for r in to_repair}
        active = [r for r in active if r.round_id not in repaired]
    scheduled = {v.initiative_id for r in [*active, *(to_repair or [])] for v in r.visits}
    selection = pool
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
        selection = [i for i in pool if i.initiative_id in wanted]
    unscheduled = [i for i in selection if i.initiative_id not in scheduled]
    busy: dict[str, set[date]] = {}
    for round_ in active:
        for member_id in round_.member_ids():
            busy.setdefault(member_id, set()).update(v.date for v in round_.visits)
    window = policy.window(year)
    plan_input = PlanInput(
        # A repair checks its rounds' visits against the whole pool; a plan plans what waits.
        initiatives=pool if to_repair is not None else unscheduled,
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
    working_days = [
        d for d in plan_input.calendar.working_days(first, last) if d not in request.cancelled_days
    ]
    return Prepared(
        plan_input,
        settings,
        members,
        working_days,
        unavailable,
        repair_of=to_repair,
        others=active,
        # Late initiatives join a repair only when named (the rest of the pool waits).
        late=unscheduled if to_repair is not None and request.initiative_ids is not None else [],
        cancelled_days=frozenset(request.cancelled_days),
    )


def _rounds_to_repair(request: PlanRequest, active: list[Round]) -> list[Round]:
    assert request.repair_of is not None
    by_id = {r.round_id: r for r in active}
    missing = sorted(str(i) for i in request.repair_of if i not in by_id)
    if missing:
        raise NotFound(
            Fault(
                "repair_of",
                f"Không có đợt khảo sát đang hiệu lực của năm {request.campaign_year}: "
                + ", ".join(missing),
                f"no active round of {request.campaign_year}: {', '.join(missing)}",
            )
        )
    return [by_id[i] for i in dict.fromkeys(request.repair_of)]


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
    body = outcome_json(await asyncio.to_thread(prepared.run), prepared, policy)
    proposal_id = uuid.uuid4()
    await store_proposal(uow, proposal_id, request, body, created_by)
    return proposal_id, body


async def accept_proposal(
    uow: UnitOfWork, proposal_id: UUID, policy: SchedulingPolicy, actor: Principal
) -> list[Round]:
    """Turn a proposal into draft rounds, checked again against the plan as it is now. A
    repair's changes are made here, by the person who confirms it: a draft is edited, a
    confirmed round rescheduled (round.rescheduled.v1) or cancelled (round.cancelled.v1)."""
    async with uow:
        found = await uow.proposals.get(proposal_id)
        if found is None:
            job = await uow.plan_jobs.with_proposal(proposal_id)
            if job is not None and job["status"] == "running":
                raise Conflict(
                    Fault(
                        "proposal_id",
                        "Đang tìm phương án; hãy dừng tìm kiếm để nhận phương án tốt nhất hiện có",
                        "the search is still running: stop it to take its best plan",
                    )
                )
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
        changes = found["result"].get("repair", {}).get("changes", [])
        reason = PlanRequest.from_json(found["request"]).reason.strip() or REPAIR_REASON
        repaired: list[tuple[Round, dict[str, Any]]] = []
        for change in changes:
            if change["action"] == "keep":
                continue
            current = await uow.rounds.get(UUID(change["round_id"]))
            if current is None or current.version != change["version"]:
                raise Conflict(
                    Fault(
                        "proposal_id",
                        "Đợt khảo sát đã thay đổi sau khi lập phương án điều chỉnh; "
                        "hãy lập lại phương án",
                        f"round {change['round_id']} changed since the repair was proposed",
                    )
                )
            repaired.append((current, change))
        candidates = [
            Round(
                current.round_id,
                current.campaign_year,
                [Seat(s["member_id"], TeamRole(s["role"])) for s in change["team"]],
                rounds_from_json(current.campaign_year, {"rounds": [change]})[0].visits,
            )
            for current, change in repaired
            if change["action"] != "cancel"
        ]
        if drafts or candidates:
            await assert_rules(uow, [*candidates, *drafts], policy)
        members = await members_in(uow)
        by_id = {c.round_id: c for c in candidates}
        for current, change in repaired:
            if change["action"] == "cancel":
                current.cancel(reason, now())
                action = "cancelled"
            elif current.status is RoundStatus.CONFIRMED:
                target = by_id[current.round_id]
                current.reschedule(target.team, target.visits, reason, members)
                action = "rescheduled"
            else:
                target = by_id[current.round_id]
                current.replace_plan(target.team, target.visits)
                action = "edited"
            await uow.rounds.save(current)
            await audit(uow, current, action, actor, reason)
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
        return [*(r for r, _ in repaired), *drafts]


REPAIR_REASON = "Điều chỉnh lịch khảo sát do thay đổi thành viên, ngày làm việc hoặc sáng kiến"
