"""The unit of work: one transaction over the repositories, the outbox and the inbox."""

from __future__ import annotations

from typing import Self

from cchc_notifications.adapters.repository import (
    SqlChoices,
    SqlDirectory,
    SqlNotificationRepository,
)
from cchc_shared.persistence import SqlAlchemyUnitOfWork


class SqlNotificationsUnitOfWork(SqlAlchemyUnitOfWork):
    notifications: SqlNotificationRepository
    directory: SqlDirectory
    choices: SqlChoices

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.notifications = SqlNotificationRepository(self.connection)
        self.directory = SqlDirectory(self.connection)
        self.choices = SqlChoices(self.connection)
        return self
