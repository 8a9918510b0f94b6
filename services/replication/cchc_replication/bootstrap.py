"""The composition root of the replication service: the one place where adapters are chosen
and wired to the service layer and the entry points."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cchc_replication.adapters.orm import kit_tables, metadata
from cchc_replication.config import ReplicationSettings
from cchc_replication.entrypoints.http import ROUTERS
from cchc_replication.entrypoints.messages import ROUTES
from cchc_replication.service_layer.services import Services
from cchc_replication.service_layer.unit_of_work import SqlReplicationUnitOfWork
from cchc_shared.auth import AuthSettings, configure_auth
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.files import MULTIPART_OVERHEAD, LocalDiskStorage, UploadBodyLimit

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    return ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)


def create_app(
    settings: ServiceSettings | None = None, *, auth: AuthSettings | None = None
) -> FastAPI:
    own = settings if isinstance(settings, ReplicationSettings) else ReplicationSettings()
    runtime = build_runtime(own)
    app = create_http_app(
        runtime,
        title="CCHC — Theo dõi nhân rộng",
        description=(
            "Replication: the People's Committee's decisions recognising recommended "
            "initiatives (scope, target agencies, deadline), and the target agencies' "
            "quarterly adoption reports, every revision kept."
        ),
        routers=ROUTERS,
        max_body_bytes=own.evidence_max_bytes + MULTIPART_OVERHEAD,
    )
    configure_auth(app, auth)
    services = Services(
        uow=runtime.units_of_work(SqlReplicationUnitOfWork),
        storage=LocalDiskStorage(own.resolved_evidence_dir),
        report_due_days=own.report_due_days,
        evidence_max_bytes=own.evidence_max_bytes,
    )
    runtime.subscribe(ROUTES, services)
    app.state.services = services
    app.add_middleware(
        UploadBodyLimit,
        max_bytes=own.max_body_bytes,
        upload_max_bytes=own.evidence_max_bytes + MULTIPART_OVERHEAD,
        is_upload=lambda path: path.endswith("/evidence"),
    )
    return app
