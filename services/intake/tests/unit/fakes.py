"""In-memory repositories and unit of work, for driving the handlers without I/O, and the
sample inbound initiative the unit tests send."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from datetime import date, datetime
from typing import Any, Self
from uuid import UUID

from cchc_intake.domain.errors import DuplicateTitle
from cchc_intake.domain.inbound import Rejection
from cchc_intake.domain.model import Attachment, Campaign, Draft, Initiative, Status
from cchc_intake.ports import StoredObject
from cchc_shared.contracts import EventData
from cchc_shared.reference import Agency
from cchc_testkit.fakes import FakeAuditLog
from cchc_testkit.fakes import FakeUnitOfWork as BaseFakeUnitOfWork


class FakeAgencies:
    def __init__(self) -> None:
        self.by_code: dict[str, Agency] = {}

    async def get(self, code: str) -> Agency | None:
        return self.by_code.get(code)

    async def seed(self, catalogue: Iterable[Agency]) -> int:
        added = 0
        for agency in catalogue:
            added += agency.code not in self.by_code
            self.by_code[agency.code] = agency
        return added


class FakeCampaigns:
    def __init__(self) -> None:
        self.by_year: dict[int, Campaign] = {}

    async def get(self, year: int) -> Campaign | None:
        return self.by_year.get(year)

    async def list(self) -> list[Campaign]:
        return sorted(self.by_year.values(), key=lambda c: -c.year)

    async def taking_submissions(self, day: date) -> Campaign | None:
        open_ = [c for c in self.by_year.values() if c.accepts_submissions_on(day)]
        return max(open_, key=lambda c: c.year, default=None)

    async def add(self, campaign: Campaign) -> None:
        self.by_year[campaign.year] = campaign

    async def save(self, campaign: Campaign) -> None:
        self.by_year[campaign.year] = campaign


class FakeInitiatives:
    def __init__(self) -> None:
        self.stored: dict[UUID, Initiative] = {}
        self.attachments: list[Attachment] = []
        self.seen: list[Initiative] = []

    async def get(self, initiative_id: UUID) -> Initiative | None:
        found = self.stored.get(initiative_id)
        if found is None:
            return None
        initiative = copy.deepcopy(found)
        self.seen.append(initiative)
        return initiative

    async def live_with_title(self, campaign_year: int, agency_code: str, key: str) -> UUID | None:
        return next(
            (
                i.id
                for i in self.stored.values()
                if (i.campaign_year, i.agency_code, i.content.title_key, i.status)
                == (campaign_year, agency_code, key, Status.SUBMITTED)
            ),
            None,
        )

    async def add(self, initiative: Initiative) -> None:
        # As the database's unique index does: one live initiative per title.
        existing = await self.live_with_title(
            initiative.campaign_year, initiative.agency_code, initiative.content.title_key
        )
        if existing is not None:
            raise DuplicateTitle(existing)
        self.stored[initiative.id] = initiative
        self.seen.append(initiative)

    async def save(self, initiative: Initiative) -> None:
        self.stored[initiative.id] = initiative

    async def add_attachment(self, attachment: Attachment) -> None:
        self.attachments.append(attachment)

    async def attachments_of(self, initiative_id: UUID) -> list[Attachment]:
        return [a for a in self.attachments if a.initiative_id == initiative_id]

    async def count_attachments(self, initiative_id: UUID) -> int:
        return len(await self.attachments_of(initiative_id))

    async def with_origin(self, source: str, origin_id: str) -> UUID | None:
        return next(
            (
                i.id
                for i in self.stored.values()
                if i.origin and (i.origin.source, i.origin.id) == (source, origin_id)
            ),
            None,
        )


class FakeDrafts:
    def __init__(self) -> None:
        self.stored: dict[UUID, Draft] = {}
        self.reminded: dict[tuple[UUID, date], datetime] = {}

    async def get(self, draft_id: UUID) -> Draft | None:
        found = self.stored.get(draft_id)
        return copy.deepcopy(found) if found else None

    async def add(self, draft: Draft) -> None:
        self.stored[draft.id] = draft

    async def save(self, draft: Draft) -> None:
        self.stored[draft.id] = draft

    async def delete(self, draft_id: UUID) -> None:
        del self.stored[draft_id]

    async def unsubmitted(self, campaign_year: int, *, unassigned: bool) -> list[Draft]:
        years = {campaign_year, None} if unassigned else {campaign_year}
        return [copy.deepcopy(d) for d in self.stored.values() if d.campaign_year in years]

    async def record_reminder(
        self, draft: Draft, campaign_year: int, closes_on: date, at: datetime
    ) -> bool:
        # As the table's primary key does: one reminder per draft and deadline.
        key = (draft.id, closes_on)
        if key in self.reminded:
            return False
        self.reminded[key] = at
        return True


class FakeRejections:
    def __init__(self) -> None:
        self.stored: dict[UUID, Rejection] = {}

    async def get(self, rejection_id: UUID) -> Rejection | None:
        return self.stored.get(rejection_id)

    async def add(self, rejection: Rejection) -> bool:
        self.stored[rejection.id] = rejection
        return True

    async def refused_again(
        self, source: str, origin_id: str, errors: list[dict[str, str]], now: datetime
    ) -> None:
        for key, kept in self.stored.items():
            if (kept.origin_source, kept.origin_id) == (source, origin_id):
                self.stored[key] = dataclasses.replace(kept, errors=errors, rejected_at=now)

    async def replayed(self, rejection_id: UUID, by: str, now: datetime) -> None:
        kept = self.stored[rejection_id]
        self.stored[rejection_id] = dataclasses.replace(
            kept, replays=kept.replays + 1, replayed_at=now, replayed_by=by
        )


class FakeUnitOfWork(BaseFakeUnitOfWork):
    """Commits keep what was done; anything not committed is forgotten, like a rollback."""

    source = "/cchc/intake"

    def __init__(self) -> None:
        super().__init__()
        self.agencies = FakeAgencies()
        self.campaigns = FakeCampaigns()
        self.initiatives = FakeInitiatives()
        self.drafts = FakeDrafts()
        self.rejections = FakeRejections()
        self.audit = FakeAuditLog()

    async def __aenter__(self) -> Self:
        self.initiatives.seen = []
        return await super().__aenter__()

    def _state(self) -> tuple[Any, ...]:
        return (
            self.initiatives.stored,
            self.initiatives.attachments,
            self.audit.entries,
            self.drafts.stored,
            self.drafts.reminded,
        )

    def _restore(self, state: tuple[Any, ...]) -> None:
        (
            self.initiatives.stored,
            self.initiatives.attachments,
            self.audit.entries,
            self.drafts.stored,
            self.drafts.reminded,
        ) = state

    def _collect_events(self) -> list[EventData]:
        events = [event for initiative in self.initiatives.seen for event in initiative.events]
        for initiative in self.initiatives.seen:
            initiative.events.clear()
        return events


class FakeStorage:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, chunks: AsyncIterable[bytes]) -> StoredObject:
        import hashlib

        content = b"".join([chunk async for chunk in chunks])
        sha = hashlib.sha256(content).hexdigest()
        self.files[sha] = content
        return StoredObject(key=sha, size=len(content), sha256=sha)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        yield self.files[key]

    async def delete(self, key: str) -> None:
        self.files.pop(key, None)


def inbound_data(**overrides: object) -> dict[str, object]:
    """An initiative as another platform publishes it, dated for a test clock in May 2023."""
    return {
        "campaign_year": 2023,
        "agency_code": "26740",
        "kind": "solution",
        "title": "Giải pháp tra cứu hồ sơ qua Zalo",
        "summary": "Người dân tra cứu tiến độ hồ sơ qua Zalo.",
        "par_area": "digital_government",
        "applied_since": "2022-06-01",
        "results": "10.000 lượt tra cứu mỗi tháng.",
        "limitations": "",
        "submitted_at": "2023-05-10T01:00:00Z",
        **overrides,
    }
