"""In-memory repositories and unit of work, for driving the handlers without I/O."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, Self
from uuid import UUID

from cchc_scheduling.domain.model import Member, PoolInitiative, PoolStatus, Round, RoundStatus
from cchc_shared.contracts import EventData
from cchc_testkit.fakes import FakeAuditLog, FakeCampaignSettings
from cchc_testkit.fakes import FakeUnitOfWork as BaseFakeUnitOfWork


class FakeMembers:
    def __init__(self) -> None:
        self.rows: dict[str, Member] = {}

    async def get(self, member_id: str) -> Member | None:
        return self.rows.get(member_id)

    async def list(self, *, active_only: bool = False) -> list[Member]:
        return [m for _, m in sorted(self.rows.items()) if m.active or not active_only]

    async def add(self, member: Member) -> None:
        self.rows[member.member_id] = member

    async def save(self, member: Member) -> None:
        self.rows[member.member_id] = member

    async def count(self) -> int:
        return len(self.rows)


class FakePool:
    def __init__(self) -> None:
        self.rows: dict[UUID, PoolInitiative] = {}

    async def get(self, initiative_id: UUID) -> PoolInitiative | None:
        return self.rows.get(initiative_id)

    async def list(
        self, campaign_year: int | None = None, status: PoolStatus | None = None
    ) -> list[PoolInitiative]:
        return [
            i
            for i in self.rows.values()
            if campaign_year in (None, i.campaign_year) and status in (None, i.status)
        ]

    async def put(self, initiative: PoolInitiative, *, new: bool) -> None:
        assert (initiative.initiative_id not in self.rows) == new
        self.rows[initiative.initiative_id] = initiative


class FakeRounds:
    def __init__(self) -> None:
        self.rows: dict[UUID, Round] = {}
        self.seen: list[Round] = []

    def _copy(self, round_: Round) -> Round:
        found = copy.deepcopy(round_)
        found.events = []
        self.seen.append(found)
        return found

    async def get(self, round_id: UUID) -> Round | None:
        found = self.rows.get(round_id)
        return self._copy(found) if found else None

    async def find(
        self,
        campaign_year: int | None = None,
        *,
        active_only: bool = False,
        member_id: str | None = None,
        agency_code: str | None = None,
        statuses: tuple[RoundStatus, ...] = (),
    ) -> list[Round]:
        return [
            self._copy(r)
            for r in self.rows.values()
            if campaign_year in (None, r.campaign_year)
            and (r.is_active or not active_only)
            and (member_id is None or member_id in r.member_ids())
            and (agency_code is None or agency_code in {v.agency_code for v in r.visits})
            and (not statuses or r.status in statuses)
        ]

    async def with_visit_of(self, initiative_id: UUID) -> list[Round]:
        return [
            self._copy(r)
            for r in self.rows.values()
            if r.is_active and any(v.initiative_id == initiative_id for v in r.visits)
        ]

    async def max_sequence(self, campaign_year: int) -> int:
        return max(
            (r.sequence or 0 for r in self.rows.values() if r.campaign_year == campaign_year),
            default=0,
        )

    async def add(self, round_: Round) -> None:
        self.rows[round_.round_id] = copy.deepcopy(round_)
        self.seen.append(round_)

    async def save(self, round_: Round) -> None:
        stored = copy.deepcopy(round_)
        stored.events = []
        self.rows[round_.round_id] = stored


class FakeProposals:
    def __init__(self) -> None:
        self.rows: dict[UUID, dict[str, Any]] = {}

    async def add(self, proposal_id: UUID, campaign_year: int, request: dict[str, Any],
                  result: dict[str, Any], created_by: str) -> None:  # fmt: skip
        self.rows[proposal_id] = {
            "proposal_id": proposal_id,
            "campaign_year": campaign_year,
            "status": "proposed",
            "request": request,
            "result": result,
        }

    async def get(self, proposal_id: UUID) -> dict[str, Any] | None:
        return self.rows.get(proposal_id)

    async def mark(self, proposal_id: UUID, status: str) -> bool:
        self.rows[proposal_id]["status"] = status
        return True


class FakePlanJobs:
    def __init__(self) -> None:
        self.rows: dict[UUID, dict[str, Any]] = {}

    async def add(self, job: dict[str, Any]) -> None:
        moment = datetime.now(UTC)
        self.rows[job["job_id"]] = {
            **job,
            "status": "running",
            "stop_requested": False,
            "elapsed_seconds": 0.0,
            "solutions": [],
            "best": None,
            "error": None,
            "created_at": moment,
            "updated_at": moment,
        }

    async def get(self, job_id: UUID) -> dict[str, Any] | None:
        found = self.rows.get(job_id)
        return copy.deepcopy(found) if found else None

    async def update(self, job_id: UUID, owner: str, **values: Any) -> bool:
        row = self.rows.get(job_id)
        if row is None or row["owner"] != owner or row["status"] != "running":
            return False
        row.update(values, updated_at=datetime.now(UTC))
        return True

    async def with_proposal(self, proposal_id: UUID) -> dict[str, Any] | None:
        return next((r for r in self.rows.values() if r["proposal_id"] == proposal_id), None)

    async def request_stop(self, job_id: UUID) -> None:
        if self.rows[job_id]["status"] == "running":
            self.rows[job_id]["stop_requested"] = True

    async def claim_expired(self, owner: str, now: datetime, lease_until: datetime) -> list[UUID]:
        claimed = []
        for job_id, row in self.rows.items():
            if row["status"] == "running" and row["lease_until"] < now:
                row.update(owner=owner, lease_until=lease_until)
                claimed.append(job_id)
        return claimed


class FakeUnitOfWork(BaseFakeUnitOfWork):
    source = "/cchc/scheduling"

    def __init__(self) -> None:
        super().__init__()
        self.members = FakeMembers()
        self.pool = FakePool()
        self.rounds = FakeRounds()
        self.proposals = FakeProposals()
        self.plan_jobs = FakePlanJobs()
        self.audit = FakeAuditLog()
        self.campaign_settings = FakeCampaignSettings()

    async def __aenter__(self) -> Self:
        self.rounds.seen = []
        return await super().__aenter__()

    def _state(self) -> Any:
        rows = (self.members.rows, self.pool.rows, self.rounds.rows, self.proposals.rows)
        return (*rows, self.plan_jobs.rows, self.audit.entries, self.campaign_settings.rows)

    def _restore(self, state: Any) -> None:
        (
            self.members.rows,
            self.pool.rows,
            self.rounds.rows,
            self.proposals.rows,
            self.plan_jobs.rows,
            self.audit.entries,
            self.campaign_settings.rows,
        ) = state

    def _collect_events(self) -> list[EventData]:
        events = [event for round_ in self.rounds.seen for event in round_.events]
        for round_ in self.rounds.seen:
            round_.events = []
        return events
