"""Opening a campaign and changing its settings (admins only, checked at the edge). Every
state is announced in the same transaction (CampaignSettingsChanged), so that scheduling,
evaluation and reporting keep the campaign's plan and scoring rule."""

from __future__ import annotations

import dataclasses

from cchc_intake.domain.commands import Actor, ChangeCampaign, CreateCampaign
from cchc_intake.domain.errors import CampaignNotFound
from cchc_intake.domain.model import Campaign
from cchc_intake.ports import UnitOfWork
from cchc_intake.service_layer.handlers.audit import audit
from cchc_shared import clock
from cchc_shared.errors import Conflict, Fault


async def create_campaign(cmd: CreateCampaign, uow: UnitOfWork) -> Campaign:
    campaign = Campaign(
        year=cmd.year,
        title=cmd.title or Campaign.default_title(cmd.year),
        submission_opens_on=cmd.submission_opens_on,
        submission_closes_on=cmd.submission_closes_on,
        survey_starts_on=cmd.survey_starts_on,
        survey_ends_on=cmd.survey_ends_on,
        plan_number=cmd.plan_number,
        plan_signed_on=cmd.plan_signed_on,
        secretary_scores=cmd.secretary_scores,
    )
    async with uow:
        if await uow.campaigns.get(cmd.year) is not None:
            raise Conflict(
                Fault("year", f"Đợt năm {cmd.year} đã có", f"the {cmd.year} campaign exists")
            )
        await add_campaign(uow, campaign, cmd.actor)
        await uow.commit()
    return campaign


async def add_campaign(uow: UnitOfWork, campaign: Campaign, actor: Actor) -> None:
    """Add ``campaign``, audit its opening and announce its settings (inside ``uow``)."""
    now = clock.now()
    await uow.campaigns.add(campaign)
    await audit(uow, campaign, "opened", actor, now)
    uow.publish(campaign.settings_changed(now))


async def change_campaign(cmd: ChangeCampaign, uow: UnitOfWork) -> Campaign:
    changes = {
        f.name: getattr(cmd, f.name)
        for f in dataclasses.fields(cmd)
        if f.name not in ("actor", "year")
    }
    async with uow:
        campaign = await uow.campaigns.get(cmd.year)
        if campaign is None:
            raise CampaignNotFound(cmd.year)
        changed = campaign.change(**changes)
        if changed is campaign:
            return campaign  # nothing differs: no new version, nothing announced
        now = clock.now()
        await uow.campaigns.save(changed)
        await audit(uow, changed, "changed", cmd.actor, now)
        uow.publish(changed.settings_changed(now))
        await uow.commit()
    return changed
