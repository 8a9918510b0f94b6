"""The composition root of the reporting service: the one place where adapters are chosen
and wired to the service layer and the entry points."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_reporting.adapters.documents import DocumentBuilder, Grounds, Signer
from cchc_reporting.adapters.orm import kit_tables, metadata
from cchc_reporting.config import ReportingSettings
from cchc_reporting.entrypoints import follow_up, http
from cchc_reporting.entrypoints.messages import ROUTES
from cchc_reporting.ports import UnitOfWork
from cchc_reporting.service_layer.queries import CampaignViews
from cchc_reporting.service_layer.services import Services
from cchc_reporting.service_layer.unit_of_work import SqlReportingUnitOfWork
from cchc_shared.auth import AuthSettings, configure_auth
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def uow_factory(
    engine: AsyncEngine, source: str, on_commit: Callable[[], None] | None = None
) -> Callable[[], UnitOfWork]:
    def make() -> UnitOfWork:
        return SqlReportingUnitOfWork(engine, kit_tables, source=source, on_commit=on_commit)

    return make


def build_services(settings: ServiceSettings, uow: Callable[[], UnitOfWork]) -> Services:
    signer, grounds = Signer(), Grounds()
    if isinstance(settings, ReportingSettings):
        signer = Signer(settings.signer_authority, settings.signer_title, settings.signer_name)
        grounds = Grounds(
            settings.plan_number, settings.plan_signed_on, settings.recommendation_threshold
        )
    return Services(uow=uow, views=CampaignViews(uow), documents=DocumentBuilder(signer, grounds))


def create_app(
    settings: ServiceSettings | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)
    services = build_services(
        settings, uow_factory(runtime.engine, settings.source, runtime.wake_relay)
    )
    runtime.subscribe(ROUTES, services)
    app = create_http_app(
        runtime,
        title="CCHC — Báo cáo",
        description=(
            "Reporting: read models over every event of the campaign (dashboard, rounds, "
            "agency scorecards, ranking, recommended list, PAR-Index table), CSV/XLSX exports "
            "and the documents for the City People's Committee (DOCX/PDF, Nghị định "
            "30/2020/NĐ-CP)."
        ),
        routers=[http.router, follow_up.router],
    )
    configure_auth(app, auth)
    app.state.services = services
    return app
