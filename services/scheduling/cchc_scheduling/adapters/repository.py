"""Repositories over the scheduling tables: rows in, domain objects out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_scheduling.adapters.orm import (
    members,
    plan_jobs,
    pool,
    proposals,
    rounds,
    team_seats,
    visits,
)
from cchc_scheduling.domain.errors import ConcurrentChange, member_exists
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
from cchc_shared.errors import DomainError, Fault


@contextmanager
def _refused_as(error: Callable[[], DomainError]) -> Iterator[None]:
    """A constraint the database enforces, answered as the domain's error: the rows another
    transaction wrote first (the rules were checked before, but not under a lock)."""
    try:
        yield
    except IntegrityError as exc:
        raise error() from exc


def _scheduled_meanwhile() -> ConcurrentChange:
    return ConcurrentChange(
        Fault(
            "visits",
            "Sáng kiến đã có lịch khảo sát ở đợt khác (thao tác đồng thời)",
            "an initiative was scheduled concurrently in another round",
        )
    )


def _member(row: RowMapping) -> Member:
    return Member.from_json(dict(row))


def _member_values(member: Member) -> dict[str, Any]:
    values = member.as_json()
    del values["member_id"]  # the key, never updated
    return {**values, "updated_at": datetime.now(UTC)}


class SqlMemberRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, member_id: str) -> Member | None:
        row = (
            (await self.connection.execute(select(members).where(members.c.member_id == member_id)))
            .mappings()
            .first()
        )
        return _member(row) if row else None

    async def list(self, *, active_only: bool = False) -> list[Member]:
        query = select(members).order_by(members.c.member_id)
        if active_only:
            query = query.where(members.c.active.is_(True))
        return [_member(r) for r in (await self.connection.execute(query)).mappings()]

    async def add(self, member: Member) -> None:
        with _refused_as(lambda: member_exists(member.member_id)):
            await self.connection.execute(
                insert(members).values(member_id=member.member_id, **_member_values(member))
            )

    async def save(self, member: Member) -> None:
        await self.connection.execute(
            update(members)
            .where(members.c.member_id == member.member_id)
            .values(**_member_values(member))
        )

    async def count(self) -> int:
        return len((await self.connection.execute(select(members.c.member_id))).all())


def _initiative(row: RowMapping) -> PoolInitiative:
    return PoolInitiative(
        initiative_id=row["initiative_id"],
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        kind=row["kind"],
        title=row["title"],
        par_area=row["par_area"],
        status=PoolStatus(row["status"]),
        updated_at=row["updated_at"],
    )


# Built once: every initiative event reads and writes one pool row, and building the
# statements per event cost more Python time than running them.
_SELECT_POOL = select(pool).where(pool.c.initiative_id == bindparam("key"))
_INSERT_POOL = insert(pool)
_UPDATE_POOL = update(pool).where(pool.c.initiative_id == bindparam("key"))


class SqlPoolRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, initiative_id: UUID) -> PoolInitiative | None:
        result = await self.connection.execute(_SELECT_POOL, {"key": initiative_id})
        row = result.mappings().first()
        return _initiative(row) if row else None

    async def list(
        self, campaign_year: int | None = None, status: PoolStatus | None = None
    ) -> list[PoolInitiative]:
        query = select(pool).order_by(pool.c.agency_code, pool.c.title, pool.c.initiative_id)
        if campaign_year is not None:
            query = query.where(pool.c.campaign_year == campaign_year)
        if status is not None:
            query = query.where(pool.c.status == status.value)
        return [_initiative(r) for r in (await self.connection.execute(query)).mappings()]

    async def put(self, initiative: PoolInitiative, *, new: bool) -> None:
        values = {
            "campaign_year": initiative.campaign_year,
            "agency_code": initiative.agency_code,
            "kind": initiative.kind,
            "title": initiative.title,
            "par_area": initiative.par_area,
            "status": initiative.status.value,
            "updated_at": initiative.updated_at,
        }
        if new:
            await self.connection.execute(
                _INSERT_POOL, {"initiative_id": initiative.initiative_id, **values}
            )
        else:
            await self.connection.execute(_UPDATE_POOL, {"key": initiative.initiative_id, **values})


class SqlRoundRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.seen: list[Round] = []
        self._versions: dict[UUID, int] = {}

    async def _load(self, rows: list[RowMapping]) -> list[Round]:
        ids = [r["round_id"] for r in rows]
        if not ids:
            return []
        seats: dict[UUID, list[Seat]] = defaultdict(list)
        for seat in (
            await self.connection.execute(
                select(team_seats)
                .where(team_seats.c.round_id.in_(ids))
                .order_by(team_seats.c.position)
            )
        ).mappings():
            seats[seat["round_id"]].append(Seat(seat["member_id"], TeamRole(seat["role"])))
        planned: dict[UUID, list[Visit]] = defaultdict(list)
        for v in (
            await self.connection.execute(
                select(visits)
                .where(visits.c.round_id.in_(ids))
                .order_by(visits.c.date, visits.c.starts_at, visits.c.visit_id)
            )
        ).mappings():
            planned[v["round_id"]].append(
                Visit(
                    v["visit_id"],
                    v["initiative_id"],
                    v["agency_code"],
                    v["date"],
                    v["starts_at"],
                    v["place"],
                )
            )
        result = []
        for row in rows:
            round_ = Round(
                round_id=row["round_id"],
                campaign_year=row["campaign_year"],
                team=seats[row["round_id"]],
                visits=planned[row["round_id"]],
                status=RoundStatus(row["status"]),
                sequence=row["sequence"],
                title=row["title"],
                reason=row["reason"],
                version=row["version"],
                confirmed_at=row["confirmed_at"],
                cancelled_at=row["cancelled_at"],
            )
            self._versions[round_.round_id] = round_.version
            self.seen.append(round_)
            result.append(round_)
        return result

    async def get(self, round_id: UUID) -> Round | None:
        rows = list(
            (await self.connection.execute(select(rounds).where(rounds.c.round_id == round_id)))
            .mappings()
            .all()
        )
        found = await self._load(rows)
        return found[0] if found else None

    async def find(
        self,
        campaign_year: int | None = None,
        *,
        active_only: bool = False,
        member_id: str | None = None,
        agency_code: str | None = None,
        statuses: tuple[RoundStatus, ...] = (),
    ) -> list[Round]:
        query = select(rounds).order_by(
            rounds.c.campaign_year, rounds.c.starts_on, rounds.c.sequence, rounds.c.round_id
        )
        if campaign_year is not None:
            query = query.where(rounds.c.campaign_year == campaign_year)
        if active_only:
            query = query.where(rounds.c.status != RoundStatus.CANCELLED.value)
        if statuses:
            query = query.where(rounds.c.status.in_([s.value for s in statuses]))
        if member_id is not None:
            query = query.where(
                rounds.c.round_id.in_(
                    select(team_seats.c.round_id).where(team_seats.c.member_id == member_id)
                )
            )
        if agency_code is not None:
            query = query.where(
                rounds.c.round_id.in_(
                    select(visits.c.round_id).where(visits.c.agency_code == agency_code)
                )
            )
        return await self._load(list((await self.connection.execute(query)).mappings().all()))

    async def with_visit_of(self, initiative_id: UUID) -> list[Round]:
        ids = select(visits.c.round_id).where(
            visits.c.initiative_id == initiative_id, visits.c.active.is_(True)
        )
        query = select(rounds).where(rounds.c.round_id.in_(ids))
        return await self._load(list((await self.connection.execute(query)).mappings().all()))

    async def max_sequence(self, campaign_year: int) -> int:
        values = (
            await self.connection.execute(
                select(rounds.c.sequence).where(
                    rounds.c.campaign_year == campaign_year, rounds.c.sequence.is_not(None)
                )
            )
        ).scalars()
        return max(values, default=0)

    def _values(self, round_: Round) -> dict[str, Any]:
        return {
            "campaign_year": round_.campaign_year,
            "sequence": round_.sequence,
            "status": round_.status.value,
            "title": round_.title,
            "reason": round_.reason,
            "version": round_.version,
            "starts_on": round_.starts_on,
            "ends_on": round_.ends_on,
            "confirmed_at": round_.confirmed_at,
            "cancelled_at": round_.cancelled_at,
            "updated_at": datetime.now(UTC),
        }

    async def add(self, round_: Round) -> None:
        with _refused_as(_scheduled_meanwhile):
            await self.connection.execute(
                insert(rounds).values(
                    round_id=round_.round_id, created_at=datetime.now(UTC), **self._values(round_)
                )
            )
            await self._write_children(round_)
        self._versions[round_.round_id] = round_.version
        self.seen.append(round_)

    async def save(self, round_: Round) -> None:
        """Optimistic concurrency: the row must still have the version that was read."""
        expected = self._versions.get(round_.round_id)
        with _refused_as(_scheduled_meanwhile):
            result = await self.connection.execute(
                update(rounds)
                .where(rounds.c.round_id == round_.round_id, rounds.c.version == expected)
                .values(**self._values(round_))
            )
            if getattr(result, "rowcount", 0) != 1:
                raise ConcurrentChange(
                    Fault(
                        "version",
                        "Đợt khảo sát vừa được người khác thay đổi; hãy tải lại và thử lại",
                        "the round was changed by someone else; reload it and try again",
                    )
                )
            self._versions[round_.round_id] = round_.version
            await self.connection.execute(
                delete(team_seats).where(team_seats.c.round_id == round_.round_id)
            )
            await self.connection.execute(
                delete(visits).where(visits.c.round_id == round_.round_id)
            )
            await self._write_children(round_)

    async def _write_children(self, round_: Round) -> None:
        if round_.team:
            await self.connection.execute(
                insert(team_seats),
                [
                    {
                        "round_id": round_.round_id,
                        "member_id": seat.member_id,
                        "role": seat.role.value,
                        "position": i,
                    }
                    for i, seat in enumerate(round_.team)
                ],
            )
        if round_.visits:
            await self.connection.execute(
                insert(visits),
                [
                    {
                        "visit_id": v.visit_id,
                        "round_id": round_.round_id,
                        "initiative_id": v.initiative_id,
                        "agency_code": v.agency_code,
                        "date": v.date,
                        "starts_at": v.starts_at,
                        "place": v.place,
                        "active": round_.is_active,
                    }
                    for v in round_.visits
                ],
            )


class SqlProposalRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(
        self,
        proposal_id: UUID,
        campaign_year: int,
        request: dict[str, Any],
        result: dict[str, Any],
        created_by: str,
    ) -> None:
        await self.connection.execute(
            insert(proposals).values(
                proposal_id=proposal_id,
                campaign_year=campaign_year,
                status="proposed",
                request=request,
                result=result,
                created_by=created_by,
                created_at=datetime.now(UTC),
            )
        )

    async def get(self, proposal_id: UUID) -> dict[str, Any] | None:
        row = (
            (
                await self.connection.execute(
                    select(proposals).where(proposals.c.proposal_id == proposal_id)
                )
            )
            .mappings()
            .first()
        )
        return dict(row) if row else None

    async def mark(self, proposal_id: UUID, status: str) -> bool:
        result = await self.connection.execute(
            update(proposals)
            .where(proposals.c.proposal_id == proposal_id, proposals.c.status == "proposed")
            .values(status=status)
        )
        return getattr(result, "rowcount", 0) == 1


class SqlPlanJobRepository:
    """Planner jobs. Every write of a running job names its owner: a replica that lost the
    lease (another took the job over) changes nothing."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, job: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        await self.connection.execute(
            insert(plan_jobs).values(
                **job,
                status="running",
                stop_requested=False,
                elapsed_seconds=0.0,
                solutions=[],
                created_at=now,
                updated_at=now,
            )
        )

    async def get(self, job_id: UUID) -> dict[str, Any] | None:
        query = select(plan_jobs).where(plan_jobs.c.job_id == job_id)
        row = (await self.connection.execute(query)).mappings().first()
        return dict(row) if row else None

    async def update(self, job_id: UUID, owner: str, **values: Any) -> bool:
        """Progress, a renewed lease or the outcome; False when ``owner`` no longer holds it."""
        result = await self.connection.execute(
            update(plan_jobs)
            .where(
                plan_jobs.c.job_id == job_id,
                plan_jobs.c.owner == owner,
                plan_jobs.c.status == "running",
            )
            .values(**values, updated_at=datetime.now(UTC))
        )
        return getattr(result, "rowcount", 0) == 1

    async def with_proposal(self, proposal_id: UUID) -> dict[str, Any] | None:
        query = select(plan_jobs).where(plan_jobs.c.proposal_id == proposal_id)
        row = (await self.connection.execute(query)).mappings().first()
        return dict(row) if row else None

    async def request_stop(self, job_id: UUID) -> None:
        await self.connection.execute(
            update(plan_jobs)
            .where(plan_jobs.c.job_id == job_id, plan_jobs.c.status == "running")
            .values(stop_requested=True, updated_at=datetime.now(UTC))
        )

    async def claim_expired(self, owner: str, now: datetime, lease_until: datetime) -> list[UUID]:
        """Take over the running jobs whose lease expired; the ids this replica now holds."""
        query = select(plan_jobs.c.job_id).where(
            plan_jobs.c.status == "running", plan_jobs.c.lease_until < now
        )
        claimed = []
        for job_id in (await self.connection.execute(query)).scalars().all():
            result = await self.connection.execute(
                update(plan_jobs)
                .where(
                    plan_jobs.c.job_id == job_id,
                    plan_jobs.c.status == "running",
                    plan_jobs.c.lease_until < now,
                )
                .values(owner=owner, lease_until=lease_until, updated_at=now)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(job_id)
        return claimed
