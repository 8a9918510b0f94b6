"""Submitting, amending and withdrawing an initiative. HTTP submissions and other platforms'
inbound ones (``inbound``) meet the same rules, checked here."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final
from uuid import UUID

from cchc_intake.domain.commands import AmendInitiative, SubmitInitiative, WithdrawInitiative
from cchc_intake.domain.errors import DuplicateTitle, NotAllowed, no_campaign, unknown_agency
from cchc_intake.domain.model import (
    CONTENT_FIELDS,
    Campaign,
    Content,
    Initiative,
    Origin,
    lineage_faults,
    local_date,
    vn_date,
)
from cchc_intake.ports import UnitOfWork
from cchc_intake.service_layer.handlers.audit import audit
from cchc_intake.service_layer.queries import visible_initiative
from cchc_shared.contracts import InboundInitiativeSubmittedV1
from cchc_shared.errors import Fault, InvalidInput
from cchc_shared.reference import Agency

# Another platform's clock may run a little ahead of ours.
CLOCK_SKEW: Final = timedelta(minutes=5)


@dataclass(frozen=True)
class ValidSubmission:
    agency: Agency
    campaign: Campaign
    content: Content


async def validate_submission(
    uow: UnitOfWork,
    *,
    agency_code: str,
    campaign_year: int | None,
    fields: Mapping[str, Any],
    submitted_at: datetime,
    now: datetime,
    own_id: UUID | None = None,
) -> ValidSubmission:
    """Every rule a new initiative must meet; InvalidInput names every fault found."""
    faults: list[Fault] = []
    today = local_date(now)
    content: Content | None = None
    try:
        content = Content.parse(**fields, today=today)
    except InvalidInput as exc:
        faults += exc.faults
    agency = await uow.agencies.get(agency_code)
    if agency is None:
        faults.append(unknown_agency(agency_code))
    if submitted_at > now + CLOCK_SKEW:
        faults.append(
            Fault(
                "submitted_at",
                "Thời điểm gửi không được ở tương lai",
                "must not be in the future",
            )
        )
    campaign = await campaign_for(uow, campaign_year, local_date(submitted_at), faults)
    if content is not None and campaign is not None:
        faults += await check_lineage(
            uow, content, own_id=own_id, campaign_year=campaign.year, agency_code=agency_code
        )
    if faults:
        raise InvalidInput(*faults)
    assert agency is not None and campaign is not None and content is not None
    return ValidSubmission(agency, campaign, content)


async def check_lineage(
    uow: UnitOfWork, content: Content, *, own_id: UUID | None, campaign_year: int, agency_code: str
) -> list[Fault]:
    """The faults of the initiative ``content`` builds on (none when it builds on none)."""
    if content.builds_on is None:
        return []
    earlier = None
    if content.builds_on.initiative_id != own_id:
        earlier = await uow.initiatives.get(content.builds_on.initiative_id)
    return lineage_faults(
        content.builds_on,
        earlier,
        own_id=own_id,
        campaign_year=campaign_year,
        agency_code=agency_code,
    )


async def campaign_for(
    uow: UnitOfWork, year: int | None, day: date, faults: list[Fault]
) -> Campaign | None:
    if year is None:
        campaign = await uow.campaigns.taking_submissions(day)
        if campaign is None:
            faults.append(
                Fault(
                    "campaign_year",
                    f"Ngày {vn_date(day)} không có đợt nào đang nhận đề xuất",
                    f"no campaign takes submissions on {day.isoformat()}",
                )
            )
        return campaign
    campaign = await uow.campaigns.get(year)
    if campaign is None:
        faults.append(no_campaign(year, "campaign_year"))
        return None
    refusal = campaign.refuse_submission(day)
    if refusal is not None:
        faults += refusal.faults
    return campaign


async def _refuse_duplicate_title(
    uow: UnitOfWork, campaign_year: int, agency_code: str, content: Content, own_id: UUID | None
) -> None:
    existing = await uow.initiatives.live_with_title(campaign_year, agency_code, content.title_key)
    if existing is not None and existing != own_id:
        raise DuplicateTitle(existing)


def content_fields(cmd: SubmitInitiative | InboundInitiativeSubmittedV1) -> dict[str, Any]:
    return {name: getattr(cmd, name) for name in CONTENT_FIELDS}


async def take_in(
    uow: UnitOfWork,
    cmd: SubmitInitiative | InboundInitiativeSubmittedV1,
    *,
    submitted_at: datetime,
    submitted_by: str,
    now: datetime,
    origin: Origin | None = None,
) -> Initiative:
    """Validate a new initiative and add it, inside the caller's open unit of work."""
    valid = await validate_submission(
        uow,
        agency_code=cmd.agency_code,
        campaign_year=cmd.campaign_year,
        fields=content_fields(cmd),
        submitted_at=submitted_at,
        now=now,
    )
    initiative = Initiative.submit(
        initiative_id=uuid.uuid4(),
        campaign=valid.campaign,
        agency_code=cmd.agency_code,
        content=valid.content,
        submitted_at=submitted_at,
        submitted_by=submitted_by,
        origin=origin,
    )
    await uow.initiatives.add(initiative)
    return initiative


async def submit_initiative(cmd: SubmitInitiative, uow: UnitOfWork, now: datetime) -> Initiative:
    if not cmd.actor.may_access(cmd.agency_code):
        raise NotAllowed(cmd.agency_code)
    async with uow:
        initiative = await take_in(
            uow, cmd, submitted_at=now, submitted_by=cmd.actor.subject, now=now
        )
        await audit(uow, initiative, "submitted", cmd.actor, now)
        await uow.commit()
    return initiative


async def amend_initiative(cmd: AmendInitiative, uow: UnitOfWork, now: datetime) -> Initiative:
    async with uow:
        initiative = await visible_initiative(uow, cmd.actor, cmd.initiative_id)
        campaign = await uow.campaigns.get(initiative.campaign_year)
        assert campaign is not None  # a foreign key keeps every initiative's campaign
        initiative.ensure_amendable(campaign, now)
        content = initiative.content.changed(local_date(now), **cmd.changes)
        if "builds_on" in cmd.changes:
            faults = await check_lineage(
                uow,
                content,
                own_id=initiative.id,
                campaign_year=initiative.campaign_year,
                agency_code=initiative.agency_code,
            )
            if faults:
                raise InvalidInput(*faults)
        await _refuse_duplicate_title(
            uow, initiative.campaign_year, initiative.agency_code, content, initiative.id
        )
        if initiative.amend(content, campaign, now):
            await uow.initiatives.save(initiative)
            await audit(uow, initiative, "amended", cmd.actor, now)
            await uow.commit()
    return initiative


async def withdraw_initiative(
    cmd: WithdrawInitiative, uow: UnitOfWork, now: datetime
) -> Initiative:
    async with uow:
        initiative = await visible_initiative(uow, cmd.actor, cmd.initiative_id)
        initiative.withdraw(cmd.reason, now)
        await uow.initiatives.save(initiative)
        await audit(uow, initiative, "withdrawn", cmd.actor, now, cmd.reason)
        await uow.commit()
    return initiative
