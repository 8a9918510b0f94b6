"""What the service layer depends on: the unit of work (its repositories are the SQL ones;
tests run them on SQLite), the transport of mail and the source of documents."""

from __future__ import annotations

from collections.abc import Callable

from cchc_notifications.adapters.documents import DocumentSource as DocumentSource
from cchc_notifications.adapters.transports import Transport as Transport
from cchc_notifications.service_layer.unit_of_work import SqlNotificationsUnitOfWork

UnitOfWork = SqlNotificationsUnitOfWork
UowFactory = Callable[[], SqlNotificationsUnitOfWork]
