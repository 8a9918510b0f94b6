"""Health probes and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from cchc_portal.entrypoints.dependencies import ServicesDep
from cchc_shared.chassis.metrics import replica_registry

router = APIRouter()


@router.get("/health/live", tags=["health"])
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", tags=["health"])
async def ready(services: ServicesDep) -> JSONResponse:
    checks = await services.apis.readiness()
    return JSONResponse(checks, status_code=200 if checks["ready"] else 503)


metrics_router = APIRouter()


@metrics_router.get("/metrics", tags=["health"])
async def metrics(services: ServicesDep) -> Response:
    registry = replica_registry(services.settings.replica)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
