"""The composition root of the evaluation service: it builds the one ``Services`` object, the
runtime and the HTTP app. The HTTP entrypoints find ``Services`` in ``app.state.services``; the
message handlers receive the same object through ``runtime.subscribe``."""

from pathlib import Path

from fastapi import FastAPI

from cchc_evaluation.adapters.orm import kit_tables, metadata
from cchc_evaluation.config import EvaluationSettings
from cchc_evaluation.domain.par_index import ParIndexRule
from cchc_evaluation.domain.selection import SelectionPolicy
from cchc_evaluation.entrypoints import http
from cchc_evaluation.entrypoints.messages import ROUTES
from cchc_evaluation.service_layer.handlers.par_index import ParIndexRecomputer
from cchc_evaluation.service_layer.services import Services
from cchc_evaluation.service_layer.unit_of_work import SqlEvaluationUnitOfWork
from cchc_shared.auth import configure_auth
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    return ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)


def build_services(settings: EvaluationSettings, runtime: ServiceRuntime) -> Services:
    """The services, and the PAR-Index recomputer as a background task of ``runtime``: woken
    by each commit that marked a unit stale."""
    recomputer: ParIndexRecomputer | None = None

    def wake_recomputer() -> None:
        if recomputer is not None:
            recomputer.wake()

    services = Services(
        uow=runtime.units_of_work(SqlEvaluationUnitOfWork, on_stale=wake_recomputer),
        policy=SelectionPolicy(
            threshold=settings.recommendation_threshold,
            quorum_min=settings.quorum_min,
            disagreement_range=settings.disagreement_range,
            final_score_method=settings.final_score_method,
            require_sector_opinion=settings.require_sector_opinion,
        ),
        par_rule=ParIndexRule(
            per_submitted=settings.par_points_per_submitted,
            per_surveyed=settings.par_points_per_surveyed,
            per_recommended=settings.par_points_per_recommended,
            cap=settings.par_points_cap,
            district_counts_wards=settings.par_district_counts_wards,
            per_adopted=settings.par_points_per_adopted,
        ),
        rubric_step=settings.rubric_step,
    )
    recomputer = ParIndexRecomputer(
        services,
        batch_size=settings.par_recompute_batch,
        linger=settings.par_recompute_linger,
        min_interval=settings.par_recompute_min_interval,
        poll_interval=settings.par_recompute_poll_interval,
    )
    runtime.background.append(recomputer.run)
    return services


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings if isinstance(settings, EvaluationSettings) else EvaluationSettings()
    runtime = build_runtime(settings)
    services = build_services(settings, runtime)
    runtime.subscribe(ROUTES, services)
    app = create_http_app(
        runtime,
        title="CCHC — Đánh giá, lựa chọn",
        description=(
            "Evaluation: rubric, on-site evaluations, aggregation, selection and the PAR-Index "
            "contribution (phân hệ đánh giá, lựa chọn mô hình, giải pháp, sáng kiến CCHC)."
        ),
        routers=[http.router],
    )
    configure_auth(app)
    app.state.services = services
    return app
