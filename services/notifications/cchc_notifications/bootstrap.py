"""The composition root of the notifications service: the one place where adapters are
chosen (the mail transport, the source of documents) and wired to the service layer, the
message routes, the delivery and reminder loops and the HTTP API."""

from __future__ import annotations

import asyncio
from email.utils import parseaddr
from pathlib import Path

from fastapi import FastAPI

from cchc_notifications.adapters.documents import (
    ClientCredentials,
    Credentials,
    DevelopmentCredentials,
    SchedulingDocuments,
)
from cchc_notifications.adapters.orm import kit_tables, metadata
from cchc_notifications.adapters.transports import MailDirectory, SmtpTransport, Transport
from cchc_notifications.config import NotificationsSettings
from cchc_notifications.domain.messages import Signature
from cchc_notifications.entrypoints.http import ROUTERS
from cchc_notifications.entrypoints.messages import ROUTES
from cchc_notifications.service_layer.handlers import delivery, reminders
from cchc_notifications.service_layer.services import MailPolicy, Services
from cchc_notifications.service_layer.unit_of_work import SqlNotificationsUnitOfWork
from cchc_shared.auth import AuthSettings, configure_auth
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def mail_directory(settings: NotificationsSettings) -> Path:
    return settings.data_dir / "mail"


def transport(settings: NotificationsSettings) -> Transport:
    if settings.mail_transport == "smtp":
        return SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=(
                settings.smtp_password.get_secret_value() if settings.smtp_password else None
            ),
            timeout=settings.smtp_timeout,
            ca_file=settings.smtp_ca_file,
        )
    return MailDirectory(mail_directory(settings))


def credentials(settings: NotificationsSettings, auth: AuthSettings | None) -> Credentials:
    """With a client secret, the provider's client-credentials grant; without, the local
    run's development token."""
    auth = auth or AuthSettings()
    secret = settings.documents_client_secret
    if secret is not None:
        return ClientCredentials(
            settings.documents_token_url,
            auth.issuer,
            settings.documents_client_id,
            secret.get_secret_value(),
            settings.documents_timeout,
        )
    return DevelopmentCredentials(auth)


def policy(settings: NotificationsSettings) -> MailPolicy:
    name, address = parseaddr(settings.mail_from)
    return MailPolicy(
        signature=Signature(
            settings.signature_department, settings.signature_address, settings.signature_email
        ),
        mail_from=settings.mail_from,
        organizer=(name or settings.signature_department, address),
        domain=settings.message_id_domain,
        visit_minutes=settings.visit_minutes,
        batch_size=settings.delivery_batch_size,
        concurrency=settings.delivery_concurrency,
        lease_seconds=settings.delivery_lease,
        retry_base=settings.retry_base,
        retry_max=settings.retry_max,
        max_attempts=settings.max_attempts,
        evaluation_reminder_days=settings.evaluation_reminder_days,
        evaluation_reminder_window_days=settings.evaluation_reminder_window_days,
        digest_seconds=settings.digest_interval,
    )


def create_app(
    settings: ServiceSettings | None = None, *, auth: AuthSettings | None = None
) -> FastAPI:
    settings = settings if isinstance(settings, NotificationsSettings) else NotificationsSettings()
    runtime = ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)
    services = Services(
        uow=runtime.units_of_work(SqlNotificationsUnitOfWork),
        policy=policy(settings),
        transport=transport(settings),
        documents=SchedulingDocuments(
            settings.scheduling_url, credentials(settings, auth), settings.documents_timeout
        ),
    )

    async def deliver(stop: asyncio.Event) -> None:
        await delivery.run(services, stop, settings.delivery_poll_interval)

    async def remind(stop: asyncio.Event) -> None:
        await reminders.run(services, stop, settings.reminder_interval)

    runtime.background.extend([deliver, remind])
    runtime.subscribe(ROUTES, services)
    app = create_http_app(
        runtime,
        title="CCHC — Thông báo",
        description=(
            "Notifications: the survey's mail, from events, sent once — invitations (Giấy mời) "
            "to the team and notices (Thông báo) to the agencies with their PDFs and calendar "
            "invitations (iCalendar REQUEST/CANCEL), decisions, reminders and digests; an "
            "outbox the PAR office can review before release, and every refusal with its reason."
        ),
        routers=ROUTERS,
    )
    configure_auth(app, auth)
    app.state.services = services
    return app
