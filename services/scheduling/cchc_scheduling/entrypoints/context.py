"""What the entry points need from the composition root, stored on ``app.state.scheduling``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from cchc_scheduling.adapters.notices import NoticeSettings
from cchc_scheduling.service_layer.handlers import SchedulingPolicy, UowFactory


@dataclass(frozen=True)
class Scheduling:
    uow: UowFactory
    policy: SchedulingPolicy
    notices: NoticeSettings


def scheduling(request: Request) -> Scheduling:
    found = request.app.state.scheduling
    assert isinstance(found, Scheduling)
    return found
