"""What intake needs before it takes submissions: the agency registry and the campaigns
of the Department's plan, seeded at start."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cchc_intake.domain.commands import Actor
from cchc_intake.domain.model import Campaign
from cchc_intake.ports import UnitOfWork
from cchc_intake.service_layer.handlers.campaigns import add_campaign
from cchc_shared.reference import Agency


def _surveyed_june_to_october(year: int, submission_closes_on: date) -> Campaign:
    return Campaign(
        year=year,
        title=Campaign.default_title(year),
        submission_opens_on=date(year, 1, 1),
        submission_closes_on=submission_closes_on,
        survey_starts_on=date(year, 6, 1),
        survey_ends_on=date(year, 10, 31),
    )


def plan_2023_campaign() -> Campaign:
    """The 2023 campaign of the Department's plan: surveys from 1 June to 31 October 2023."""
    return _surveyed_june_to_october(2023, date(2023, 10, 31))


# The service itself, opening the campaigns the reference data names.
SEEDER = Actor("system:reference-data")


def open_campaign(year: int) -> Campaign:
    """A campaign taking submissions all year, surveyed on the plan's June-October pattern."""
    return _surveyed_june_to_october(year, date(year, 12, 31))


async def seed_reference_data(uow: UnitOfWork, catalogue: Iterable[Agency], today: date) -> None:
    """Idempotent: the agency registry follows the reference data; the 2023 campaign and an
    open campaign for the current year exist (an admin's later changes are kept)."""
    async with uow:
        await uow.agencies.seed(catalogue)
        for campaign in (plan_2023_campaign(), open_campaign(today.year)):
            if await uow.campaigns.get(campaign.year) is None:
                await add_campaign(uow, campaign, SEEDER)
        await uow.commit()
