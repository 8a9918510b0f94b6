"""Every Protocol the reporting service layer depends on: the unit of work (the kit's, plus
the event log and the fact store), and the writer of the documents. The SQL adapters and the
tests' fakes satisfy the same Protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from cchc_reporting.domain.documents import Issue
from cchc_reporting.domain.facts import (
    CampaignFacts,
    Fact,
    FactSet,
    FollowUpFacts,
    InitiativeFact,
    RecognitionFact,
)
from cchc_reporting.domain.follow_up import ModelFollowUp, OverdueItem
from cchc_reporting.domain.log import LoggedEvent, LogPosition
from cchc_reporting.domain.read_models import CampaignView, RoundResult
from cchc_shared.contracts import CloudEvent
from cchc_shared.persistence.ports import KitUnitOfWork


class EventLog(Protocol):
    async def append(self, event: CloudEvent, received_at: datetime | None = None) -> None: ...
    async def lock_for_rebuild(self) -> None: ...
    def stream(self, batch: int = ...) -> AsyncIterator[LoggedEvent]: ...
    async def position(self) -> LogPosition: ...
    async def counts_by_type(self) -> dict[str, int]: ...


class FactRepository(Protocol):
    async def apply(self, fact: Fact) -> bool: ...
    async def replace_all(self, facts: FactSet) -> dict[str, int]: ...
    async def bump_generation(self) -> int: ...
    async def campaign_years(self) -> list[int]: ...
    async def initiative_counts(self) -> dict[int, int]: ...
    async def load_campaign(self, year: int) -> CampaignFacts: ...
    async def load_follow_up(self) -> FollowUpFacts: ...
    async def initiatives_by_id(self, ids: Collection[UUID]) -> list[InitiativeFact]: ...
    async def initiatives_building_on(self, ids: Collection[UUID]) -> list[InitiativeFact]: ...
    async def load_all(self) -> FactSet: ...


class UnitOfWork(KitUnitOfWork, Protocol):
    @property
    def log(self) -> EventLog: ...
    @property
    def facts(self) -> FactRepository: ...


class DocumentWriter(Protocol):
    """Writes the documents for the City People's Committee (DOCX or PDF bytes)."""

    async def campaign_document(
        self, view: CampaignView, kind: str, fmt: str, issue: Issue
    ) -> bytes: ...

    async def round_report_bytes(
        self, view: CampaignView, result: RoundResult, fmt: str, issue: Issue
    ) -> bytes: ...

    async def follow_up_document(
        self,
        year: int,
        follow_ups: Sequence[ModelFollowUp],
        overdue: Sequence[OverdueItem],
        as_of: date,
        fmt: str,
        issue: Issue,
    ) -> bytes:
        """Báo cáo kết quả triển khai nhân rộng of one year."""
        ...

    async def decision_record_document(
        self, models: Sequence[RecognitionFact], fmt: str, issue: Issue
    ) -> bytes:
        """The Quyết định's recognised models, targets and deadlines, as a Phụ lục."""
        ...
