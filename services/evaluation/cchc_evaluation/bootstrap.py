"""The composition root of the evaluation service."""

from pathlib import Path

from fastapi import FastAPI

from cchc_evaluation.adapters.orm import kit_tables, metadata
from cchc_evaluation.config import EvaluationSettings
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    return ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or EvaluationSettings())
    return create_http_app(
        runtime,
        title="CCHC — Đánh giá, lựa chọn",
        description="Evaluation: rubric, evaluations, selection, PAR-Index contribution.",
    )
