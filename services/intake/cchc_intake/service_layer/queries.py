"""The read side: lists and lookups. The lists read the tables straight, through the unit
of work's connection (no aggregate is needed to read); a single record comes from its
repository, as the actor may see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, case, func, or_, select

from cchc_intake.adapters.orm import agencies, drafts, inbound_rejections, initiatives
from cchc_intake.domain.commands import Actor
from cchc_intake.domain.errors import (
    AttachmentNotFound,
    CampaignNotFound,
    InitiativeNotFound,
    RejectionNotFound,
)
from cchc_intake.domain.model import Attachment, Campaign, Draft, Initiative
from cchc_intake.ports import UnitOfWork
from cchc_shared.contracts.text import fold
from cchc_shared.contracts.vocabulary import AGENCY_LEVELS
from cchc_shared.errors import Fault, NotFound
from cchc_shared.reference import Agency


async def visible_initiative(uow: UnitOfWork, actor: Actor, initiative_id: UUID) -> Initiative:
    """The initiative, if the actor may see it, inside an open unit of work; another agency's
    answers exactly like an absent one, so ids of other agencies' initiatives cannot be
    probed. The write side loads what it changes through here too."""
    initiative = await uow.initiatives.get(initiative_id)
    if initiative is None or not actor.may_access(initiative.agency_code):
        raise InitiativeNotFound(initiative_id)
    return initiative


async def visible_draft(uow: UnitOfWork, actor: Actor, draft_id: UUID) -> Draft:
    """The draft, if the actor may see it: its agency's staff, the secretariat and admin.
    Anyone else is answered as for an absent initiative."""
    draft = await uow.drafts.get(draft_id)
    if draft is None or not actor.sees_drafts or not actor.may_access(draft.agency_code):
        raise InitiativeNotFound(draft_id)
    return draft


async def read_initiative_or_draft(
    actor: Actor, initiative_id: UUID, uow: UnitOfWork
) -> tuple[Initiative, list[Attachment]] | Draft:
    """What ``GET /initiatives/{id}`` shows: the initiative, else the actor's draft."""
    async with uow:
        initiative = await uow.initiatives.get(initiative_id)
        if initiative is None:
            return await visible_draft(uow, actor, initiative_id)
        initiative = await visible_initiative(uow, actor, initiative_id)
        return initiative, await uow.initiatives.attachments_of(initiative_id)


async def read_initiative(
    actor: Actor, initiative_id: UUID, uow: UnitOfWork
) -> tuple[Initiative, list[Attachment]]:
    async with uow:
        initiative = await visible_initiative(uow, actor, initiative_id)
        return initiative, await uow.initiatives.attachments_of(initiative_id)


async def find_attachment(
    actor: Actor, initiative_id: UUID, attachment_id: UUID, uow: UnitOfWork
) -> Attachment:
    _, attachments = await read_initiative(actor, initiative_id, uow)
    for attachment in attachments:
        if attachment.id == attachment_id:
            return attachment
    raise AttachmentNotFound(attachment_id)


async def initiative_history(
    actor: Actor, initiative_id: UUID, uow: UnitOfWork
) -> list[dict[str, Any]]:
    """Who submitted, amended, withdrew and attached files to the initiative, oldest first."""
    async with uow:
        if await uow.initiatives.get(initiative_id) is None:
            await visible_draft(uow, actor, initiative_id)
        else:
            await visible_initiative(uow, actor, initiative_id)
        return await uow.audit.history("initiative", str(initiative_id))


async def campaign_history(uow: UnitOfWork, year: int) -> list[dict[str, Any]]:
    """Who opened the campaign and changed its windows, oldest first."""
    async with uow:
        if await uow.campaigns.get(year) is None:
            raise CampaignNotFound(year)
        return await uow.audit.history("campaign", str(year))


async def list_campaigns(uow: UnitOfWork) -> list[Campaign]:
    async with uow:
        return await uow.campaigns.list()


async def read_campaign(uow: UnitOfWork, year: int) -> Campaign:
    async with uow:
        campaign = await uow.campaigns.get(year)
    if campaign is None:
        raise CampaignNotFound(year)
    return campaign


@dataclass(frozen=True)
class InitiativeFilter:
    campaign_year: int | None = None
    agency_code: str | None = None
    district_code: str | None = None  # a district and every ward of it
    level: str | None = None
    par_area: str | None = None
    kind: str | None = None
    status: str | None = None
    text: str | None = None  # a phrase; ignores case, spacing and Vietnamese diacritics


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _district_of() -> Any:
    return case(
        (agencies.c.level == "district", agencies.c.code),
        (agencies.c.level == "commune", agencies.c.parent_code),
        else_=None,
    )


_LIST_COLUMNS = (
    initiatives.c.id.label("initiative_id"),
    initiatives.c.campaign_year,
    initiatives.c.agency_code,
    agencies.c.name.label("agency_name"),
    agencies.c.level.label("agency_level"),
    initiatives.c.kind,
    initiatives.c.title,
    initiatives.c.par_area,
    initiatives.c.applied_since,
    initiatives.c.status,
    initiatives.c.submitted_at,
    initiatives.c.amended_at,
    initiatives.c.withdrawn_at,
)


def _filtered(query: Select[Any], actor: Actor, f: InitiativeFilter) -> Select[Any]:
    query = query.select_from(initiatives.join(agencies))
    conditions = []
    if actor.agency_code is not None:  # an agency sees its own initiatives only
        conditions.append(initiatives.c.agency_code == actor.agency_code)
    for column, value in (
        (initiatives.c.campaign_year, f.campaign_year),
        (initiatives.c.agency_code, f.agency_code),
        (agencies.c.level, f.level),
        (initiatives.c.par_area, f.par_area),
        (initiatives.c.kind, f.kind),
        (initiatives.c.status, f.status),
    ):
        if value is not None:
            conditions.append(column == value)
    if f.district_code is not None:
        conditions.append(
            or_(agencies.c.code == f.district_code, agencies.c.parent_code == f.district_code)
        )
    phrase = fold(f.text or "")
    if phrase:
        pattern = f"%{_like_escape(phrase)}%"
        conditions.append(
            or_(
                initiatives.c.search_text.like(pattern, escape="\\"),
                agencies.c.name_key.like(pattern, escape="\\"),
            )
        )
    return query.where(and_(*conditions)) if conditions else query


async def list_initiatives(
    uow: UnitOfWork, actor: Actor, f: InitiativeFilter, page: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    async with uow:
        total = await uow.connection.scalar(_filtered(select(func.count()), actor, f))
        rows = await uow.connection.execute(
            _filtered(select(*_LIST_COLUMNS, _district_of().label("district_code")), actor, f)
            .order_by(initiatives.c.submitted_at.desc(), initiatives.c.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        return [dict(row) for row in rows.mappings()], int(total or 0)


async def list_drafts(
    uow: UnitOfWork, actor: Actor, f: InitiativeFilter, page: int, page_size: int
) -> tuple[list[Draft], int]:
    """The drafts the actor may see (the Committee none), newest first; the filters on
    content a draft may not have yet (level, area, kind, text) are not applied."""
    if not actor.sees_drafts:
        return [], 0
    conditions = []
    if actor.agency_code is not None:
        conditions.append(drafts.c.agency_code == actor.agency_code)
    if f.agency_code is not None:
        conditions.append(drafts.c.agency_code == f.agency_code)
    if f.campaign_year is not None:
        conditions.append(drafts.c.campaign_year == f.campaign_year)
    where = and_(*conditions) if conditions else None
    count_query = select(func.count()).select_from(drafts)
    id_query = select(drafts.c.id)
    if where is not None:
        count_query, id_query = count_query.where(where), id_query.where(where)
    async with uow:
        total = await uow.connection.scalar(count_query)
        ids = await uow.connection.scalars(
            id_query.order_by(drafts.c.created_at.desc(), drafts.c.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        found = [await uow.drafts.get(draft_id) for draft_id in ids.all()]
    return [d for d in found if d is not None], int(total or 0)


_LEVEL_ORDER = case(
    {level: rank for rank, level in enumerate(AGENCY_LEVELS)},
    value=agencies.c.level,
)


async def list_agencies(
    uow: UnitOfWork, level: str | None, district_code: str | None, text: str | None
) -> list[dict[str, Any]]:
    query = select(
        agencies.c.code,
        agencies.c.name,
        agencies.c.level,
        agencies.c.parent_code,
        agencies.c.unit_type,
    )
    if level is not None:
        query = query.where(agencies.c.level == level)
    if district_code is not None:
        query = query.where(
            or_(agencies.c.code == district_code, agencies.c.parent_code == district_code)
        )
    phrase = fold(text or "")
    if phrase:
        query = query.where(agencies.c.name_key.like(f"%{_like_escape(phrase)}%", escape="\\"))
    async with uow:
        rows = await uow.connection.execute(query.order_by(_LEVEL_ORDER, agencies.c.code))
        return [dict(row) for row in rows.mappings()]


async def read_agency(uow: UnitOfWork, code: str) -> tuple[Agency, int]:
    """The agency and how many wards it has (none but for a district)."""
    async with uow:
        agency = await uow.agencies.get(code)
        if agency is None:
            raise NotFound(
                Fault(
                    "code",
                    f"Mã cơ quan {code} không có trong danh mục",
                    f"unknown agency code {code}",
                )
            )
        wards = await uow.connection.scalar(
            select(func.count()).where(agencies.c.parent_code == code)
        )
    return agency, int(wards or 0)


_REJECTION_COLUMNS = (
    inbound_rejections.c.id.label("rejection_id"),
    inbound_rejections.c.origin_source,
    inbound_rejections.c.origin_id,
    inbound_rejections.c.campaign_year,
    inbound_rejections.c.publisher.label("published_by"),
    inbound_rejections.c.errors,
    inbound_rejections.c.received_at,
    inbound_rejections.c.rejected_at,
    inbound_rejections.c.replays,
    inbound_rejections.c.replayed_at,
    inbound_rejections.c.replayed_by,
    initiatives.c.id.label("initiative_id"),
)


def _rejections() -> Select[Any]:
    """Kept rejections, each with the initiative taken in from its message, if any."""
    taken = and_(
        initiatives.c.origin_source == inbound_rejections.c.origin_source,
        initiatives.c.origin_id == inbound_rejections.c.origin_id,
    )
    return select(*_REJECTION_COLUMNS).select_from(inbound_rejections.outerjoin(initiatives, taken))


def _rejection_row(row: Any) -> dict[str, Any]:
    found = dict(row)
    found["status"] = "accepted" if found["initiative_id"] else "rejected"
    if found["initiative_id"]:
        found["errors"] = []  # taken in: the earlier reasons no longer hold
    return found


async def list_rejections(
    uow: UnitOfWork, campaign_year: int | None, status: str | None = None
) -> list[dict[str, Any]]:
    """The inbound messages refused and kept, newest first, of one campaign or all; with
    ``status``, only those still refused (``rejected``) or since taken in (``accepted``)."""
    query = _rejections().order_by(inbound_rejections.c.received_at.desc(), inbound_rejections.c.id)
    if campaign_year is not None:
        query = query.where(inbound_rejections.c.campaign_year == campaign_year)
    if status == "rejected":
        query = query.where(initiatives.c.id.is_(None))
    elif status == "accepted":
        query = query.where(initiatives.c.id.is_not(None))
    async with uow:
        rows = (await uow.connection.execute(query)).mappings().all()
    return [_rejection_row(r) for r in rows]


async def read_rejection(uow: UnitOfWork, rejection_id: UUID) -> dict[str, Any]:
    async with uow:
        query = _rejections().where(inbound_rejections.c.id == rejection_id)
        row = (await uow.connection.execute(query)).mappings().first()
    if row is None:
        raise RejectionNotFound(rejection_id)
    return _rejection_row(row)
