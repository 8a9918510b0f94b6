"""Drafts: an initiative saved while the agency is still writing it. Saving, changing and
discarding one publish nothing (no other service learns of a draft); submitting it meets
every rule of a direct submission and publishes the same InitiativeSubmitted."""

from __future__ import annotations

import uuid
from datetime import datetime

from cchc_intake.domain.commands import ChangeDraft, DiscardDraft, SaveDraft, SubmitDraft
from cchc_intake.domain.errors import NotAllowed, no_campaign, unknown_agency
from cchc_intake.domain.model import Draft, Initiative, local_date
from cchc_intake.ports import UnitOfWork
from cchc_intake.service_layer.handlers.audit import audit
from cchc_intake.service_layer.handlers.submissions import campaign_for, check_lineage
from cchc_intake.service_layer.queries import visible_draft
from cchc_shared.errors import Fault, InvalidInput


async def save_draft(cmd: SaveDraft, uow: UnitOfWork, now: datetime) -> Draft:
    if not cmd.actor.may_access(cmd.agency_code):
        raise NotAllowed(cmd.agency_code)
    async with uow:
        faults: list[Fault] = []
        try:
            draft = Draft.start(
                draft_id=uuid.uuid4(),
                agency_code=cmd.agency_code,
                campaign_year=cmd.campaign_year,
                given=dict(cmd.fields),
                now=now,
                created_by=cmd.actor.subject,
            )
        except InvalidInput as exc:
            faults += exc.faults
        if await uow.agencies.get(cmd.agency_code) is None:
            faults.append(unknown_agency(cmd.agency_code))
        # The window is checked on submit; the campaign named must exist now.
        if cmd.campaign_year is not None and await uow.campaigns.get(cmd.campaign_year) is None:
            faults.append(no_campaign(cmd.campaign_year, "campaign_year"))
        if faults:
            raise InvalidInput(*faults)
        await uow.drafts.add(draft)
        await audit(uow, draft, "draft_saved", cmd.actor, now)
        await uow.commit()
    return draft


async def change_draft(cmd: ChangeDraft, uow: UnitOfWork, now: datetime) -> Draft:
    async with uow:
        draft = await visible_draft(uow, cmd.actor, cmd.draft_id)
        if draft.change(dict(cmd.changes), now):
            await uow.drafts.save(draft)
            await audit(uow, draft, "draft_changed", cmd.actor, now)
            await uow.commit()
    return draft


async def submit_draft(cmd: SubmitDraft, uow: UnitOfWork, now: datetime) -> Initiative:
    """Every missing field, a bad value and a closed window are named at once; a title the
    agency already uses answers 409, as on a direct submission."""
    async with uow:
        draft = await visible_draft(uow, cmd.actor, cmd.draft_id)
        faults: list[Fault] = []
        content = None
        try:
            content = draft.completed(local_date(now))
        except InvalidInput as exc:
            faults += exc.faults
        campaign = await campaign_for(uow, draft.campaign_year, local_date(now), faults)
        if content is not None and campaign is not None:
            faults += await check_lineage(
                uow,
                content,
                own_id=draft.id,
                campaign_year=campaign.year,
                agency_code=draft.agency_code,
            )
        if faults:
            raise InvalidInput(*faults)
        assert content is not None and campaign is not None
        initiative = Initiative.submit(
            initiative_id=draft.id,  # the id the agency has known the draft by
            campaign=campaign,
            agency_code=draft.agency_code,
            content=content,
            submitted_at=now,
            submitted_by=cmd.actor.subject,
        )
        await uow.initiatives.add(initiative)
        await uow.drafts.delete(draft.id)
        await audit(uow, initiative, "submitted", cmd.actor, now)
        await uow.commit()
    return initiative


async def discard_draft(cmd: DiscardDraft, uow: UnitOfWork, now: datetime) -> None:
    """A discarded draft is gone (the audit log keeps what it said)."""
    async with uow:
        draft = await visible_draft(uow, cmd.actor, cmd.draft_id)
        await uow.drafts.delete(draft.id)
        await audit(uow, draft, "draft_discarded", cmd.actor, now)
        await uow.commit()
