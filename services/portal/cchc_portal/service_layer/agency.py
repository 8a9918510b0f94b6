"""The agency workspace: an agency's initiatives, read and submitted through intake's API
with the signed-in person's token (intake decides what they may see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from cchc_portal.adapters.api import Refused, ServiceApis
from cchc_portal.service_layer.sessions import Session

# The fields of intake's InitiativeIn that the form carries, with the same names.
INITIATIVE_FIELDS = (
    "kind",
    "title",
    "summary",
    "par_area",
    "applied_since",
    "results",
    "limitations",
)


class NotVisible(Exception):
    """Absent, or another agency's: the page says the same for both."""


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | None
    done: bool
    note: str = ""


def initiative_body(form: dict[str, str]) -> dict[str, str]:
    """The JSON body of a submission from the form: a field left empty is not sent, so the API
    names it as missing (or applies its default)."""
    return {name: form[name] for name in INITIATIVE_FIELDS if form.get(name, "").strip()}


async def list_initiatives(
    apis: ServiceApis, session: Session, status: str | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {"page_size": 100}
    if status:
        params["status"] = status
    page: dict[str, Any] = await apis.call(
        "intake", "GET", "/initiatives", session.access_token, params=params
    )
    return page


async def read_initiative(apis: ServiceApis, session: Session, initiative_id: UUID) -> Any:
    try:
        return await apis.call(
            "intake", "GET", f"/initiatives/{initiative_id}", session.access_token
        )
    except Refused as exc:
        if exc.status in (403, 404):
            raise NotVisible from None
        raise


async def submit_initiative(apis: ServiceApis, session: Session, form: dict[str, str]) -> Any:
    """The created initiative; :class:`Refused` (422) names the fields at fault."""
    return await apis.call(
        "intake", "POST", "/initiatives", session.access_token, json=initiative_body(form)
    )


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def timeline(initiative: dict[str, Any]) -> list[Step]:
    """The initiative's steps as far as intake knows them. Planning, evaluation and decision
    come from the other services' APIs (not read yet: shown as not reached)."""
    steps = [Step("Đã gửi đề xuất", _at(initiative.get("submitted_at")), True)]
    if initiative.get("amended_at"):
        steps.append(Step("Đã chỉnh sửa", _at(initiative["amended_at"]), True))
    if initiative.get("status") == "withdrawn":
        reason = str(initiative.get("withdrawal_reason") or "")
        steps.append(Step("Đã rút đề xuất", _at(initiative.get("withdrawn_at")), True, reason))
        return steps
    steps += [
        Step("Được lên lịch khảo sát", None, False),
        Step("Đã được đánh giá", None, False),
        Step("Đã có quyết định", None, False),
        Step("Được đề xuất nhân rộng", None, False),
    ]
    return steps
