"""A campaign's settings as a consumer keeps them: what intake announces in
``campaign.settings_changed.v1`` and a service needs of it (the survey plan the documents
cite, whether the secretary scores). One table shape, one repository and one handler for
every service that keeps them, each in its own database.

The publisher numbers the states of one campaign (``version``): a stored state is replaced
only by a strictly higher one, so a redelivered or late older event changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, Self

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_shared.contracts.envelope import CloudEvent
from cchc_shared.contracts.events import CampaignSettingsChangedV1
from cchc_shared.persistence.inserts import insert_rows
from cchc_shared.persistence.ports import KitUnitOfWork
from cchc_shared.persistence.tables import campaign_year_column

TABLE_NAME = "campaign_settings"


@dataclass(frozen=True)
class CampaignSettings:
    """What a consumer keeps of a campaign's settings, at the ``version`` announced."""

    campaign_year: int
    version: int
    plan_number: str | None = None
    plan_signed_on: date | None = None
    secretary_scores: bool = False

    @classmethod
    def of_event(cls, data: CampaignSettingsChangedV1) -> Self:
        return cls(
            campaign_year=data.campaign_year,
            version=data.version,
            plan_number=data.plan_number,
            plan_signed_on=data.plan_signed_on,
            secretary_scores=data.secretary_scores,
        )

    def row(self) -> dict[str, Any]:
        return {
            "campaign_year": self.campaign_year,
            "version": self.version,
            "plan_number": self.plan_number,
            "plan_signed_on": self.plan_signed_on,
            "secretary_scores": self.secretary_scores,
        }


class CampaignSettingsRepository(Protocol):
    async def get(self, campaign_year: int) -> CampaignSettings | None: ...

    async def put(self, settings: CampaignSettings) -> bool:
        """Keep ``settings`` if newer than the stored state; False when it was not."""
        ...


class CampaignSettingsUnitOfWork(KitUnitOfWork, Protocol):
    @property
    def campaign_settings(self) -> CampaignSettingsRepository: ...


def define_campaign_settings(metadata: MetaData, name: str = TABLE_NAME) -> Table:
    """The ``campaign_settings`` table (``name``, where the service has a table of that name
    already): one row per campaign, its newest announced state."""
    return Table(
        name,
        metadata,
        campaign_year_column(primary_key=True),
        Column("version", Integer, nullable=False),
        Column("plan_number", String(40)),
        Column("plan_signed_on", Date),
        Column("secretary_scores", Boolean, nullable=False),
    )


def create_campaign_settings_v1(name: str = TABLE_NAME) -> None:
    """Create the table as :func:`define_campaign_settings` first defined it, in a service's
    Alembic migration. Frozen: a later change is a new migration, never an edit of this one."""
    from alembic import op  # only inside a migration

    op.create_table(
        name,
        sa.Column("campaign_year", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("plan_number", sa.String(40)),
        sa.Column("plan_signed_on", sa.Date),
        sa.Column("secretary_scores", sa.Boolean, nullable=False),
    )


def drop_campaign_settings_v1(name: str = TABLE_NAME) -> None:
    from alembic import op

    op.drop_table(name)


class SqlCampaignSettings:
    def __init__(self, connection: AsyncConnection, table: Table) -> None:
        self.connection = connection
        self.table = table

    async def get(self, campaign_year: int) -> CampaignSettings | None:
        result = await self.connection.execute(
            select(self.table).where(self.table.c.campaign_year == campaign_year)
        )
        row = result.mappings().first()
        return CampaignSettings(**row) if row is not None else None

    async def put(self, settings: CampaignSettings) -> bool:
        inserted = await insert_rows(
            self.connection, self.table, settings.row(), ignore_conflicts=True
        )
        if inserted == 1:
            return True
        # Only a strictly newer state replaces the stored one: one statement, so that two
        # replicas applying different versions at once leave the higher.
        result = await self.connection.execute(
            update(self.table)
            .where(
                (self.table.c.campaign_year == settings.campaign_year)
                & (self.table.c.version < settings.version)
            )
            .values(**settings.row())
        )
        return result.rowcount == 1


async def keep_campaign_settings(
    uow: CampaignSettingsUnitOfWork,
    consumer: str,
    event: CloudEvent,
    data: CampaignSettingsChangedV1,
) -> bool:
    """The consumer's use case: keep the announced settings once (the inbox), unless a newer
    state is already kept. Returns whether the stored settings changed."""
    async with uow:
        if not await uow.accept_once(consumer, event):
            return False
        changed = await uow.campaign_settings.put(CampaignSettings.of_event(data))
        await uow.commit()
    return changed
