"""The one place that puts the route modules together, one module per workspace."""

from __future__ import annotations

from fastapi import APIRouter

from cchc_portal.entrypoints import (
    agency,
    auth,
    committee,
    documents,
    follow_up,
    health,
    mail,
    office,
    planner,
    surveyor,
)

# The metrics and the development sign-in are included by the app when its settings say so.
from cchc_portal.entrypoints.auth import development_router as development_router
from cchc_portal.entrypoints.health import metrics_router as metrics_router

# One line per workspace's module, so that each is added without touching the others.
WORKSPACES = (
    health,
    auth,
    agency,
    office,
    planner,
    surveyor,
    committee,
    documents,
    follow_up,
    mail,
)

router = APIRouter()
for module in WORKSPACES:
    router.include_router(module.router)
