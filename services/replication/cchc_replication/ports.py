"""Every Protocol the service layer depends on: the repositories and the unit of work that
holds them. The SQL adapters and the tests' in-memory fakes both satisfy them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from uuid import UUID

from cchc_replication.domain.model import (
    AdoptionReport,
    Candidate,
    Decision,
    RecognisedModel,
)
from cchc_shared.persistence.ports import AuditLog, KitUnitOfWork


class CandidateRepository(Protocol):
    async def get(self, initiative_id: UUID) -> Candidate | None: ...
    async def put(self, candidate: Candidate) -> None: ...
    async def find(self, campaign_year: int | None = None) -> list[Candidate]: ...


class DecisionRepository(Protocol):
    async def add(self, decision: Decision) -> None: ...
    async def get(self, decision_id: UUID) -> Decision | None: ...
    async def by_number(self, decision_number: str) -> Decision | None: ...
    async def find(self, campaign_year: int | None = None) -> list[Decision]: ...
    async def model(self, initiative_id: UUID) -> RecognisedModel | None: ...
    async def models_of_agency(self, agency_code: str) -> list[RecognisedModel]: ...


class ReportRepository(Protocol):
    async def add(self, report: AdoptionReport) -> None: ...
    async def history(self, initiative_id: UUID, agency_code: str) -> list[AdoptionReport]: ...
    async def of_agency(self, agency_code: str) -> list[AdoptionReport]: ...


class UnitOfWork(KitUnitOfWork, Protocol):
    """The kit's unit of work (transaction, inbox, outbox) plus this service's repositories."""

    @property
    def candidates(self) -> CandidateRepository: ...
    @property
    def decisions(self) -> DecisionRepository: ...
    @property
    def reports(self) -> ReportRepository: ...
    @property
    def audit(self) -> AuditLog: ...

    async def lock(self, key: str) -> None:
        """Serialise the writers of one record (a model's decision, an agency's report)."""
        ...


UowFactory = Callable[[], UnitOfWork]
