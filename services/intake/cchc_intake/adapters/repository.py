"""Repositories over the intake tables: rows in, domain objects out."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_intake.adapters.orm import (
    agencies,
    attachments,
    campaigns,
    draft_reminders,
    drafts,
    inbound_rejections,
    initiatives,
)
from cchc_intake.domain.errors import CampaignChangedMeanwhile, ConcurrentUpdate, DuplicateTitle
from cchc_intake.domain.inbound import KeptMessage, Rejection
from cchc_intake.domain.model import (
    CONTENT_FIELDS,
    Attachment,
    BuildsOn,
    Campaign,
    Content,
    Draft,
    Initiative,
    Origin,
    Status,
)
from cchc_shared.contracts.text import fold
from cchc_shared.persistence.inserts import insert_rows
from cchc_shared.reference import Agency, AgencyLevel

log = logging.getLogger("cchc.intake.repository")


async def _first_row(connection: AsyncConnection, query: Select[Any]) -> RowMapping | None:
    row: RowMapping | None = (await connection.execute(query)).mappings().first()
    return row


def _agency(row: RowMapping) -> Agency:
    return Agency(
        code=row["code"],
        name=row["name"],
        level=AgencyLevel(row["level"]),
        parent_code=row["parent_code"],
        unit_type=row["unit_type"],
    )


# Agencies are reference data, written only by ``seed`` (at start): every submission reads
# one, so the process keeps those it has read, per database.
_KNOWN_AGENCIES: dict[tuple[int, str], Agency] = {}


class SqlAgencyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, code: str) -> Agency | None:
        key = (id(self.connection.engine), code)
        known = _KNOWN_AGENCIES.get(key)
        if known is not None:
            return known
        row = await _first_row(self.connection, select(agencies).where(agencies.c.code == code))
        if row is None:
            return None
        agency = _KNOWN_AGENCIES[key] = _agency(row)
        return agency

    async def seed(self, catalogue: Iterable[Agency]) -> int:
        """Add the agencies not yet known and refresh the names of the others; returns how
        many were added. Agencies are never deleted: initiatives refer to them."""
        known = {row.code: row for row in (await self.connection.execute(select(agencies))).all()}
        new: list[dict[str, Any]] = []
        for agency in catalogue:
            values = {
                "name": agency.name,
                "level": agency.level.value,
                "parent_code": agency.parent_code,
                "unit_type": agency.unit_type,
                "name_key": fold(agency.name),
            }
            current = known.get(agency.code)
            if current is None:
                new.append({"code": agency.code, **values})
            elif any(getattr(current, key) != value for key, value in values.items()):
                await self.connection.execute(
                    update(agencies).where(agencies.c.code == agency.code).values(**values)
                )
        if new:
            await self.connection.execute(insert(agencies), new)
        _KNOWN_AGENCIES.clear()
        return len(new)


def _campaign(row: RowMapping) -> Campaign:
    return Campaign(
        year=row["year"],
        title=row["title"],
        submission_opens_on=row["submission_opens_on"],
        submission_closes_on=row["submission_closes_on"],
        survey_starts_on=row["survey_starts_on"],
        survey_ends_on=row["survey_ends_on"],
        plan_number=row["plan_number"],
        plan_signed_on=row["plan_signed_on"],
        secretary_scores=bool(row["secretary_scores"]),
        version=row["version"],
    )


def _campaign_values(campaign: Campaign) -> dict[str, Any]:
    return {
        "title": campaign.title,
        "submission_opens_on": campaign.submission_opens_on,
        "submission_closes_on": campaign.submission_closes_on,
        "survey_starts_on": campaign.survey_starts_on,
        "survey_ends_on": campaign.survey_ends_on,
        "plan_number": campaign.plan_number,
        "plan_signed_on": campaign.plan_signed_on,
        "secretary_scores": campaign.secretary_scores,
        "version": campaign.version,
        "updated_at": datetime.now(UTC),
    }


# Every submission reads its campaign's windows, which change a few times a year: the
# process keeps each campaign row it has read for CAMPAIGN_CACHE_SECONDS. Its own writes
# refresh it at once; another replica's change is seen within that time.
CAMPAIGN_CACHE_SECONDS = 2.0
_CAMPAIGN_ROWS: dict[tuple[int, int], tuple[float, RowMapping]] = {}


class SqlCampaignRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, year: int) -> Campaign | None:
        key = (id(self.connection.engine), year)
        cached = _CAMPAIGN_ROWS.get(key)
        if cached is not None and time.monotonic() - cached[0] < CAMPAIGN_CACHE_SECONDS:
            return _campaign(cached[1])  # a fresh object: callers may change theirs
        row = await _first_row(self.connection, select(campaigns).where(campaigns.c.year == year))
        if row is None:
            return None
        _CAMPAIGN_ROWS[key] = (time.monotonic(), row)
        return _campaign(row)

    async def list(self) -> list[Campaign]:
        rows = await self.connection.execute(select(campaigns).order_by(campaigns.c.year.desc()))
        return [_campaign(row) for row in rows.mappings()]

    async def taking_submissions(self, day: date) -> Campaign | None:
        """The most recent campaign whose submission window contains ``day``."""
        row = await _first_row(
            self.connection,
            select(campaigns)
            .where(campaigns.c.submission_opens_on <= day)
            .where(campaigns.c.submission_closes_on >= day)
            .order_by(campaigns.c.year.desc())
            .limit(1),
        )
        return _campaign(row) if row else None

    async def add(self, campaign: Campaign) -> None:
        _CAMPAIGN_ROWS.clear()
        values = _campaign_values(campaign)
        await self.connection.execute(
            insert(campaigns).values(year=campaign.year, created_at=values["updated_at"], **values)
        )

    async def save(self, campaign: Campaign) -> None:
        """Store the campaign's next version; Conflict when another change was saved since
        the version it was changed from (each version is announced once)."""
        _CAMPAIGN_ROWS.clear()
        result = await self.connection.execute(
            update(campaigns)
            .where(campaigns.c.year == campaign.year)
            .where(campaigns.c.version == campaign.version - 1)
            .values(**_campaign_values(campaign))
        )
        if result.rowcount != 1:
            raise CampaignChangedMeanwhile(campaign.year)


def search_text(content: Content) -> str:
    return fold(" ".join((content.title, content.summary, content.results, content.limitations)))


def _initiative_values(initiative: Initiative) -> dict[str, Any]:
    c = initiative.content
    values = {k: v for k, v in c.values().items() if k != "builds_on"}
    return {
        **values,
        "builds_on_id": c.builds_on.initiative_id if c.builds_on else None,
        "builds_on_relation": c.builds_on.relation if c.builds_on else None,
        "title_key": c.title_key,
        "status": initiative.status.value,
        "amended_at": initiative.amended_at,
        "withdrawn_at": initiative.withdrawn_at,
        "withdrawal_reason": initiative.withdrawal_reason,
        "version": initiative.version,
        "search_text": search_text(c),
    }


def initiative_from_row(row: RowMapping) -> Initiative:
    return Initiative(
        id=row["id"],
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        content=Content(
            **{name: row[name] for name in CONTENT_FIELDS if name != "builds_on"},
            builds_on=(
                BuildsOn(row["builds_on_id"], row["builds_on_relation"])
                if row["builds_on_id"]
                else None
            ),
        ),
        submitted_at=row["submitted_at"],
        submitted_by=row["submitted_by"],
        status=Status(row["status"]),
        origin=(Origin(row["origin_source"], row["origin_id"]) if row["origin_source"] else None),
        amended_at=row["amended_at"],
        withdrawn_at=row["withdrawn_at"],
        withdrawal_reason=row["withdrawal_reason"],
        version=row["version"],
    )


def attachment_from_row(row: RowMapping) -> Attachment:
    return Attachment(
        id=row["id"],
        initiative_id=row["initiative_id"],
        filename=row["filename"],
        media_type=row["media_type"],
        size=row["size"],
        sha256=row["sha256"],
        storage_key=row["storage_key"],
        uploaded_at=row["uploaded_at"],
        uploaded_by=row["uploaded_by"],
    )


class SqlInitiativeRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.seen: list[Initiative] = []

    async def get(self, initiative_id: UUID) -> Initiative | None:
        row = await _first_row(
            self.connection, select(initiatives).where(initiatives.c.id == initiative_id)
        )
        if row is None:
            return None
        initiative = initiative_from_row(row)
        self.seen.append(initiative)
        return initiative

    async def live_with_title(self, campaign_year: int, agency_code: str, key: str) -> UUID | None:
        """The id of the agency's not-withdrawn initiative with this folded title, if any."""
        found: UUID | None = await self.connection.scalar(
            select(initiatives.c.id)
            .where(initiatives.c.campaign_year == campaign_year)
            .where(initiatives.c.agency_code == agency_code)
            .where(initiatives.c.title_key == key)
            .where(initiatives.c.status == Status.SUBMITTED.value)
        )
        return found

    async def add(self, initiative: Initiative) -> None:
        values = {
            **_initiative_values(initiative),
            "id": initiative.id,
            "campaign_year": initiative.campaign_year,
            "agency_code": initiative.agency_code,
            "submitted_at": initiative.submitted_at,
            "submitted_by": initiative.submitted_by,
            "origin_source": initiative.origin.source if initiative.origin else None,
            "origin_id": initiative.origin.id if initiative.origin else None,
            "created_at": datetime.now(UTC),
        }
        # ON CONFLICT DO NOTHING rather than a savepoint: two round trips fewer per
        # submission. No row means a unique key is taken: the live title (409 with the
        # winner's id) or, in a race between two deliveries, the inbound origin (retried).
        if not await insert_rows(self.connection, initiatives, values, ignore_conflicts=True):
            existing = await self.live_with_title(
                initiative.campaign_year, initiative.agency_code, initiative.content.title_key
            )
            if existing is not None:
                raise DuplicateTitle(existing)
            raise ConcurrentUpdate()
        self.seen.append(initiative)

    async def save(self, initiative: Initiative) -> None:
        """Write a changed initiative; the version it was read at must still be current."""
        statement = (
            update(initiatives)
            .where(initiatives.c.id == initiative.id)
            .where(initiatives.c.version == initiative.version - 1)
            .values(**_initiative_values(initiative))
        )
        result = await self._guard_title(initiative, statement)
        if getattr(result, "rowcount", 1) != 1:
            raise ConcurrentUpdate()
        if initiative not in self.seen:
            self.seen.append(initiative)

    async def _guard_title(self, initiative: Initiative, statement: Any) -> Any:
        """Run ``statement`` in a savepoint so a lost race on the title index answers 409
        (with the winner's id) instead of aborting the whole transaction."""
        try:
            async with self.connection.begin_nested():
                return await self.connection.execute(statement)
        except IntegrityError:
            existing = await self.live_with_title(
                initiative.campaign_year, initiative.agency_code, initiative.content.title_key
            )
            if existing is not None and existing != initiative.id:
                raise DuplicateTitle(existing) from None
            raise

    async def add_attachment(self, attachment: Attachment) -> None:
        await self.connection.execute(
            insert(attachments).values(
                id=attachment.id,
                initiative_id=attachment.initiative_id,
                filename=attachment.filename,
                media_type=attachment.media_type,
                size=attachment.size,
                sha256=attachment.sha256,
                storage_key=attachment.storage_key,
                uploaded_at=attachment.uploaded_at,
                uploaded_by=attachment.uploaded_by,
            )
        )

    async def attachments_of(self, initiative_id: UUID) -> list[Attachment]:
        rows = await self.connection.execute(
            select(attachments)
            .where(attachments.c.initiative_id == initiative_id)
            .order_by(attachments.c.uploaded_at, attachments.c.id)
        )
        return [attachment_from_row(row) for row in rows.mappings()]

    async def with_origin(self, source: str, origin_id: str) -> UUID | None:
        """The initiative taken in from another platform's message (source, id), if any."""
        found: UUID | None = await self.connection.scalar(
            select(initiatives.c.id).where(
                initiatives.c.origin_source == source, initiatives.c.origin_id == origin_id
            )
        )
        return found

    async def count_attachments(self, initiative_id: UUID) -> int:
        count = await self.connection.scalar(
            select(func.count()).where(attachments.c.initiative_id == initiative_id)
        )
        return int(count or 0)


def _draft_row_fields(draft: Draft) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, BuildsOn):
            return {"initiative_id": str(value.initiative_id), "relation": value.relation}
        return value

    return {k: plain(v) for k, v in draft.fields.items()}


def draft_from_row(row: RowMapping) -> Draft:
    fields = dict(row["fields"])
    if "applied_since" in fields:
        fields["applied_since"] = date.fromisoformat(fields["applied_since"])
    if fields.get("builds_on"):
        given = fields["builds_on"]
        fields["builds_on"] = BuildsOn(UUID(given["initiative_id"]), given["relation"])
    return Draft(
        id=row["id"],
        agency_code=row["agency_code"],
        fields=fields,
        created_at=row["created_at"],
        created_by=row["created_by"],
        campaign_year=row["campaign_year"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


class SqlDraftRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, draft_id: UUID) -> Draft | None:
        row = await _first_row(self.connection, select(drafts).where(drafts.c.id == draft_id))
        return draft_from_row(row) if row else None

    async def add(self, draft: Draft) -> None:
        await self.connection.execute(
            insert(drafts).values(
                id=draft.id,
                agency_code=draft.agency_code,
                campaign_year=draft.campaign_year,
                fields=_draft_row_fields(draft),
                created_at=draft.created_at,
                created_by=draft.created_by,
                updated_at=draft.updated_at,
                version=draft.version,
            )
        )

    async def save(self, draft: Draft) -> None:
        """Write a changed draft; the version it was read at must still be current."""
        result = await self.connection.execute(
            update(drafts)
            .where(drafts.c.id == draft.id)
            .where(drafts.c.version == draft.version - 1)
            .values(
                fields=_draft_row_fields(draft), updated_at=draft.updated_at, version=draft.version
            )
        )
        if getattr(result, "rowcount", 1) != 1:
            raise ConcurrentUpdate()

    async def delete(self, draft_id: UUID) -> None:
        result = await self.connection.execute(delete(drafts).where(drafts.c.id == draft_id))
        if getattr(result, "rowcount", 1) != 1:  # submitted or discarded meanwhile
            raise ConcurrentUpdate()

    async def unsubmitted(self, campaign_year: int, *, unassigned: bool) -> list[Draft]:
        """The drafts of a campaign (with ``unassigned``, also those that name none), locked
        until the transaction ends, so a submission or discard under way is waited for and
        a draft it removed is not reminded of."""
        which = drafts.c.campaign_year == campaign_year
        if unassigned:
            which = which | drafts.c.campaign_year.is_(None)
        rows = await self.connection.execute(
            select(drafts).where(which).order_by(drafts.c.created_at).with_for_update()
        )
        return [draft_from_row(row) for row in rows.mappings()]

    async def record_reminder(
        self, draft: Draft, campaign_year: int, closes_on: date, at: datetime
    ) -> bool:
        """Record the reminder of ``draft`` for the deadline ``closes_on``; False when it was
        already recorded (by an earlier sweep or another replica)."""
        values = {
            "draft_id": draft.id,
            "submission_closes_on": closes_on,
            "campaign_year": campaign_year,
            "agency_code": draft.agency_code,
            "reminded_at": at,
        }
        added = await insert_rows(self.connection, draft_reminders, values, ignore_conflicts=True)
        return added == 1


class SqlRejectionRepository:
    """Refused inbound messages, kept as received (``domain.inbound``)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, rejection_id: UUID) -> Rejection | None:
        row = await _first_row(
            self.connection,
            select(inbound_rejections).where(inbound_rejections.c.id == rejection_id),
        )
        if row is None:
            return None
        return Rejection(
            id=row["id"],
            origin_source=row["origin_source"],
            origin_id=row["origin_id"],
            campaign_year=row["campaign_year"],
            errors=list(row["errors"]),
            message=KeptMessage(
                body=bytes(row["body"]),
                headers=dict(row["headers"]),
                content_type=row["content_type"],
                message_id=row["message_id"],
                exchange=row["exchange"],
                routing_key=row["routing_key"],
                publisher=row["publisher"],
            ),
            received_at=row["received_at"],
            rejected_at=row["rejected_at"],
            replays=row["replays"],
            replayed_at=row["replayed_at"],
            replayed_by=row["replayed_by"],
        )

    async def add(self, rejection: Rejection) -> bool:
        """Keep the copy, in a savepoint: a message the database cannot hold as it came
        (e.g. a header it refuses) loses its copy (False), never its InitiativeRejected."""
        message = rejection.message
        statement = insert(inbound_rejections).values(
            id=rejection.id,
            origin_source=rejection.origin_source,
            origin_id=rejection.origin_id,
            campaign_year=rejection.campaign_year,
            errors=rejection.errors,
            body=message.body,
            headers=message.headers,
            content_type=message.content_type,
            message_id=message.message_id,
            exchange=message.exchange,
            routing_key=message.routing_key,
            publisher=message.publisher,
            received_at=rejection.received_at,
            rejected_at=rejection.rejected_at,
            replays=rejection.replays,
        )
        try:
            async with self.connection.begin_nested():
                await self.connection.execute(statement)
        except (DBAPIError, StatementError, ValueError, TypeError):
            log.warning(
                "refused inbound message not kept",
                exc_info=True,
                extra={"origin_source": rejection.origin_source, "origin_id": rejection.origin_id},
            )
            return False
        return True

    async def refused_again(
        self, source: str, origin_id: str, errors: list[dict[str, str]], now: datetime
    ) -> None:
        """The latest reasons of a kept message refused once more (a replay, a redelivery)."""
        await self.connection.execute(
            update(inbound_rejections)
            .where(
                inbound_rejections.c.origin_source == source,
                inbound_rejections.c.origin_id == origin_id,
            )
            .values(errors=errors, rejected_at=now)
        )

    async def replayed(self, rejection_id: UUID, by: str, now: datetime) -> None:
        await self.connection.execute(
            update(inbound_rejections)
            .where(inbound_rejections.c.id == rejection_id)
            .values(replays=inbound_rejections.c.replays + 1, replayed_at=now, replayed_by=by[:200])
        )
