"""The composition root of the scheduling service: the one place where adapters are chosen
and wired to the service layer and the entry points. It builds one ``Services`` object, which
the HTTP entrypoint reads from ``app.state.services`` and the message handlers receive from
the kit (``runtime.subscribe(ROUTES, services)``)."""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

from fastapi import FastAPI

from cchc_scheduling.adapters.notices import NoticeSettings
from cchc_scheduling.adapters.orm import kit_tables, metadata
from cchc_scheduling.config import SchedulingSettings
from cchc_scheduling.domain.model import Member
from cchc_scheduling.entrypoints.http import ROUTERS
from cchc_scheduling.entrypoints.messages import ROUTES
from cchc_scheduling.service_layer import queries
from cchc_scheduling.service_layer.handlers import roster
from cchc_scheduling.service_layer.handlers.plan_jobs import PlanJobs
from cchc_scheduling.service_layer.services import SchedulingPolicy, Services
from cchc_scheduling.service_layer.unit_of_work import SqlSchedulingUnitOfWork
from cchc_shared.auth import AuthSettings, configure_auth
from cchc_shared.chassis.http import create_app as create_http_app
from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
log = logging.getLogger("cchc.scheduling")


def default_roster() -> list[Member]:
    """The seeded roster (``data/default-roster.json``)."""
    text = (
        resources.files("cchc_scheduling")
        .joinpath("data", "default-roster.json")
        .read_text(encoding="utf-8")
    )
    return [Member.from_json(item) for item in json.loads(text)["members"]]


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    return ServiceRuntime.build(settings, metadata, kit_tables, MIGRATIONS)


def create_app(
    settings: ServiceSettings | None = None, *, auth: AuthSettings | None = None
) -> FastAPI:
    settings = settings if isinstance(settings, SchedulingSettings) else SchedulingSettings()
    runtime = build_runtime(settings)

    unit_of_work = runtime.units_of_work(SqlSchedulingUnitOfWork)

    policy = SchedulingPolicy(
        max_visits_per_day=settings.max_visits_per_day,
        visit_minutes=settings.visit_minutes,
        planner_time_limit=settings.planner_time_limit,
        start_times=settings.visit_start_times,
        min_team_size=settings.min_team_size,
        max_team_size=settings.max_team_size,
    )
    plan_jobs = PlanJobs()

    async def seed() -> None:
        if settings.seed_default_roster:
            added = await roster.seed_roster(unit_of_work(), default_roster())
            if added:
                log.info("default roster seeded", extra={"members": added})

    async def take_over_plan_jobs() -> None:
        plan_jobs.start_sweeping(unit_of_work, policy)

    app = create_http_app(
        runtime,
        title="CCHC — Lập kế hoạch khảo sát",
        description=(
            "Scheduling: the pool of initiatives to survey, the roster of the survey team, "
            "survey rounds (draft, confirm, reschedule, cancel) checked against every rule, "
            "an automatic planner (OR-Tools CP-SAT), and the notices (DOCX, PDF, iCalendar)."
        ),
        routers=ROUTERS,
        on_startup=[seed, take_over_plan_jobs],
        on_shutdown=[plan_jobs.close],
    )

    async def member_known(member_id: str) -> bool:
        return await queries.is_member(unit_of_work(), member_id)

    configure_auth(app, auth, member_known=member_known)
    services = Services(
        uow=unit_of_work,
        policy=policy,
        notices=NoticeSettings(
            place=settings.notice_place,
            signer_name=settings.notice_signer_name,
            contact=settings.notice_contact,
            visit_minutes=settings.visit_minutes,
            plan_number=settings.plan_number,
            plan_signed_on=settings.plan_signed_on,
            plan_head_name=settings.plan_head_name,
            head_assignment=settings.head_assignment,
        ),
    )
    runtime.subscribe(ROUTES, services)
    app.state.services = services
    app.state.plan_jobs = plan_jobs
    return app
