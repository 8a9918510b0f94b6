"""Opening a campaign and changing its windows (admins only, checked at the edge)."""

from __future__ import annotations

from cchc_intake.domain.commands import ChangeCampaign, CreateCampaign
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
    )
    async with uow:
        if await uow.campaigns.get(cmd.year) is not None:
            raise Conflict(
                Fault("year", f"Đợt năm {cmd.year} đã có", f"the {cmd.year} campaign exists")
            )
        await uow.campaigns.add(campaign)
        await audit(uow, campaign, "opened", cmd.actor, clock.now())
        await uow.commit()
    return campaign


async def change_campaign(cmd: ChangeCampaign, uow: UnitOfWork) -> Campaign:
    async with uow:
        campaign = await uow.campaigns.get(cmd.year)
        if campaign is None:
            raise CampaignNotFound(cmd.year)
        changed = campaign.change(
            title=cmd.title,
            submission_opens_on=cmd.submission_opens_on,
            submission_closes_on=cmd.submission_closes_on,
            survey_starts_on=cmd.survey_starts_on,
            survey_ends_on=cmd.survey_ends_on,
        )
        await uow.campaigns.save(changed)
        await audit(uow, changed, "changed", cmd.actor, clock.now())
        await uow.commit()
    return changed
