"""Every Protocol the service layer depends on: the repositories and the unit of work that holds
them. The SQL adapters (``adapters.repository``, ``service_layer.unit_of_work``) and the tests'
in-memory fakes both satisfy them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from cchc_scheduling.domain.model import Member, PoolInitiative, PoolStatus, Round, RoundStatus
from cchc_shared.persistence.ports import AuditLog, KitUnitOfWork


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


class UnitOfWork(KitUnitOfWork, Protocol):
    """The kit's unit of work (transaction, inbox, outbox) plus this service's repositories."""

    @property
    def members(self) -> MemberRepository: ...
    @property
    def pool(self) -> PoolRepository: ...
    @property
    def rounds(self) -> RoundRepository: ...
    @property
    def proposals(self) -> ProposalRepository: ...
    @property
    def audit(self) -> AuditLog: ...


UowFactory = Callable[[], UnitOfWork]
