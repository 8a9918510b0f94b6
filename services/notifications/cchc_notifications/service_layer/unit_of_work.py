"""The unit of work: one transaction over the repositories, the outbox and the inbox."""

from __future__ import annotations

from typing import Self

from cchc_notifications.adapters.orm import announced_campaign_settings
from cchc_notifications.adapters.repository import (
    SqlChoices,
    SqlDirectory,
    SqlNotificationRepository,
)
from cchc_shared.persistence import SqlAlchemyUnitOfWork
from cchc_shared.persistence.campaign_settings import SqlCampaignSettings


class SqlNotificationsUnitOfWork(SqlAlchemyUnitOfWork):
    notifications: SqlNotificationRepository
    directory: SqlDirectory
    choices: SqlChoices
    # The campaigns' settings as intake announced them (the kit's repository).
    campaign_settings: SqlCampaignSettings

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.notifications = SqlNotificationRepository(self.connection)
        self.directory = SqlDirectory(self.connection)
        self.choices = SqlChoices(self.connection)
        self.campaign_settings = SqlCampaignSettings(self.connection, announced_campaign_settings)
        return self
