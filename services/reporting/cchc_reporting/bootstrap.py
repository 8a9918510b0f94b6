"""The composition root of the reporting service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from cchc_reporting.adapters.documents import DocumentBuilder, Signer
from cchc_reporting.adapters.orm import kit_tables, metadata
from cchc_reporting.config import ReportingSettings
from cchc_reporting.entrypoints import api
from cchc_reporting.entrypoints.messages import ROUTES
from cchc_reporting.service_layer.queries import CampaignViews
from cchc_reporting.service_layer.unit_of_work import SqlReportingUnitOfWork, UnitOfWork
from cchc_shared.auth import AuthSettings, configure_auth
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def uow_factory(runtime: ServiceRuntime) -> Callable[[], UnitOfWork]:
    def make() -> UnitOfWork:
        return SqlReportingUnitOfWork(
            runtime.engine,
            runtime.tables,
            source=runtime.settings.source,
            on_commit=runtime.wake_relay,
        )

    return make


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)
    runtime.subscribe(ROUTES, uow_factory(runtime))
    return runtime


def create_app(
    settings: ServiceSettings | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = build_runtime(settings)
    app = create_http_app(
        runtime,
        title="CCHC — Báo cáo",
        description=(
            "Reporting: read models over every event of the campaign (dashboard, rounds, "
            "agency scorecards, ranking, recommended list, PAR-Index table), CSV/XLSX exports "
            "and the documents for the City People's Committee (DOCX/PDF, Nghị định "
            "30/2020/NĐ-CP)."
        ),
        routers=[api.router],
    )
    configure_auth(app, auth)
    signer = Signer()
    if isinstance(settings, ReportingSettings):
        signer = Signer(settings.signer_authority, settings.signer_title, settings.signer_name)
    factory = uow_factory(runtime)
    app.state.reporting = api.ReportingServices(
        views=CampaignViews(factory), uow_factory=factory, documents=DocumentBuilder(signer)
    )
    return app
