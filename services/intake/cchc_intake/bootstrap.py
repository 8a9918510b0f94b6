"""The composition root of the intake service: the one place where adapters are chosen
and wired to the service layer and the entry points."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from cchc_intake.adapters.orm import kit_tables, metadata
from cchc_intake.config import IntakeSettings
from cchc_intake.domain.model import local_date
from cchc_intake.entrypoints.http import ROUTERS
from cchc_intake.entrypoints.messages import ROUTES
from cchc_intake.ports import AttachmentStorage
from cchc_intake.service_layer.handlers import reminders
from cchc_intake.service_layer.handlers.reference_data import seed_reference_data
from cchc_intake.service_layer.services import Services, utc_now
from cchc_intake.service_layer.unit_of_work import SqlIntakeUnitOfWork
from cchc_shared.auth import AuthSettings, configure_auth
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.contracts import FieldError
from cchc_shared.files import MULTIPART_OVERHEAD, LocalDiskStorage, UploadBodyLimit
from cchc_shared.messaging.consumer import IncomingMessage
from cchc_shared.messaging.topology import INBOUND_QUEUE
from cchc_shared.reference import load_agencies

log = logging.getLogger("cchc.intake")
MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def create_app(
    settings: ServiceSettings | None = None,
    *,
    auth: AuthSettings | None = None,
    storage: AttachmentStorage | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> FastAPI:
    settings = settings if isinstance(settings, IntakeSettings) else IntakeSettings()
    runtime = ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)

    unit_of_work = runtime.units_of_work(SqlIntakeUnitOfWork)

    async def reprocess_inbound(message: IncomingMessage) -> list[FieldError]:
        # The inbound queue's own consumer, built when the routes are subscribed below.
        return await runtime.consumers.consumer(INBOUND_QUEUE).reprocess(message)

    services = Services(
        uow=unit_of_work,
        storage=storage or LocalDiskStorage(settings.resolved_attachments_dir),
        attachment_max_bytes=settings.attachment_max_bytes,
        clock=clock,
        reprocess_inbound=reprocess_inbound,
    )

    async def seed() -> None:
        await seed_reference_data(unit_of_work(), load_agencies().values(), local_date(clock()))

    async def remind(stop: asyncio.Event) -> None:
        await reminders.run(
            unit_of_work,
            clock,
            settings.draft_reminder_days,
            stop,
            settings.draft_reminder_interval,
        )

    runtime.before_consuming.append(seed)
    runtime.background.append(remind)
    runtime.subscribe(ROUTES, services)
    upload_cap = settings.attachment_max_bytes + MULTIPART_OVERHEAD
    app = create_http_app(
        runtime,
        title="CCHC — Tiếp nhận mô hình, giải pháp, sáng kiến / Intake",
        description=(
            "Tiếp nhận đề xuất mô hình, giải pháp, sáng kiến cải cách hành chính của các cơ "
            "quan, đơn vị. Agencies submit their administrative-reform initiatives; other "
            "city platforms publish them as events on `cchc.inbound`."
        ),
        routers=ROUTERS,
        max_body_bytes=upload_cap,
    )
    app.state.services = services
    if configure_auth(app, auth).uses_development_secret:
        log.warning("tokens are checked with the development secret; set CCHC_AUTH_SECRET")
    app.add_middleware(
        UploadBodyLimit, max_bytes=settings.max_body_bytes, upload_max_bytes=upload_cap
    )
    return app
