"""The composition root of the reporting service."""

from pathlib import Path

from fastapi import FastAPI

from cchc_reporting.adapters.orm import kit_tables, metadata
from cchc_reporting.config import ReportingSettings
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    return ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or ReportingSettings())
    return create_http_app(
        runtime,
        title="CCHC — Báo cáo",
        description="Reporting: read models and documents for the City People's Committee.",
    )
