"""The composition root of the intake service."""

from pathlib import Path

from fastapi import FastAPI

from cchc_intake.adapters.orm import kit_tables, metadata
from cchc_intake.config import IntakeSettings
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    return ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or IntakeSettings())
    return create_http_app(
        runtime,
        title="CCHC — Tiếp nhận mô hình, giải pháp, sáng kiến",
        description="Intake: agencies and their initiatives.",
    )
