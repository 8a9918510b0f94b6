"""Domain errors as HTTP answers in the API's one error format (field, vi, en; plus the rule)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from cchc_scheduling.domain.errors import Conflict, NotFound, SchedulingError
from cchc_scheduling.domain.planner import PlanInfeasible
from cchc_scheduling.service_layer.handlers import PlanViolations
from cchc_shared.chassis.http import error_body


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PlanViolations)
    async def violations(_: Request, exc: PlanViolations) -> JSONResponse:
        detail = [
            {
                "field": (f"rounds[{v.round_index}]." if v.round_index else "") + v.field,
                "message": v.message_vi,
                "message_en": v.message_en,
                "rule": v.rule.value,
            }
            for v in exc.violations
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(PlanInfeasible)
    async def infeasible(_: Request, exc: PlanInfeasible) -> JSONResponse:
        body = error_body("plan", exc.message_vi, exc.message_en)
        body["detail"][0]["rule"] = exc.rule.value
        return JSONResponse(body, status_code=422)

    @app.exception_handler(SchedulingError)
    async def domain_error(_: Request, exc: SchedulingError) -> JSONResponse:
        code = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 422
        return JSONResponse(error_body(exc.field, exc.message_vi, exc.message_en), status_code=code)

    @app.exception_handler(IntegrityError)
    async def integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        return JSONResponse(
            error_body(
                "visits",
                "Sáng kiến đã có lịch khảo sát ở đợt khác (thao tác đồng thời)",
                "an initiative was scheduled concurrently in another round",
            ),
            status_code=409,
        )
