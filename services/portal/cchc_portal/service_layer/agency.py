"""The agency workspace: an agency's drafts and initiatives, read and changed through intake's
API, their progress through reporting's, their visits and notices through scheduling's, always
with the signed-in person's token (each service decides what they may see)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from cchc_portal.adapters.api import Refused, ServiceApis, ServiceUnavailable
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
# The lineage across years: intake's ``builds_on`` object, as two form fields named by its
# JSON path (the names intake's refusals give).
LINEAGE_FIELDS = ("builds_on.initiative_id", "builds_on.relation")
FORM_FIELDS = INITIATIVE_FIELDS + LINEAGE_FIELDS
# The order of reporting's statuses along an initiative's life.
PROGRESS = ("submitted", "scheduled", "visited", "evaluated", "decided", "recommended")


class NotVisible(Exception):
    """Absent, or another agency's: the page says the same for both."""


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | date | None
    done: bool
    note: str = ""


def lineage_body(form: dict[str, str]) -> dict[str, str] | None:
    """Intake's ``builds_on`` from the two form fields; None when both are empty (it builds
    on no earlier initiative). One of them alone is sent as it is, so intake names the other."""
    given = {name.split(".", 1)[1]: form.get(name, "").strip() for name in LINEAGE_FIELDS}
    return given if any(given.values()) else None


def initiative_body(form: dict[str, str]) -> dict[str, Any]:
    """The JSON body from the form: a field left empty is not sent, so the API names it as
    missing (or applies its default; a draft keeps it unset)."""
    body: dict[str, Any] = {
        name: form[name] for name in INITIATIVE_FIELDS if form.get(name, "").strip()
    }
    builds_on = lineage_body(form)
    if builds_on is not None:
        body["builds_on"] = builds_on
    return body


def form_values(found: dict[str, Any]) -> dict[str, str]:
    """An initiative or a draft as the form's values (the API's names, text only)."""
    values = {
        name: "" if found.get(name) is None else str(found[name]) for name in INITIATIVE_FIELDS
    }
    builds_on = found.get("builds_on") or {}
    for name in LINEAGE_FIELDS:
        values[name] = str(builds_on.get(name.split(".", 1)[1]) or "")
    return values


def changes(before: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """The fields the form changed (a PATCH body); unchanged ones are not sent again. A field
    emptied in a submitted initiative is sent empty, so that intake refuses a required one by
    name (or clears the optional limitations); a draft's empty field simply stays unset. The
    lineage is sent whole when either of its fields changed (null: it builds on none)."""
    old = form_values(before)
    keep_empty = before.get("status") != "draft"
    body: dict[str, Any] = {
        name: form.get(name, "")
        for name in INITIATIVE_FIELDS
        if form.get(name, "") != old[name] and (keep_empty or form.get(name, "").strip())
    }
    if any(form.get(name, "").strip() != old[name] for name in LINEAGE_FIELDS):
        body["builds_on"] = lineage_body(form)
    return body


async def list_initiatives(
    apis: ServiceApis, session: Session, status: str | None = None
) -> dict[str, Any]:
    """One page of the agency's initiatives; ``status=None``: the drafts first, then the rest."""
    params: dict[str, Any] = {"page_size": 100}
    if status:
        params["status"] = status
        page: dict[str, Any] = await _intake(apis, session, "GET", "/initiatives", params=params)
        return page
    drafts, submitted = await asyncio.gather(
        _intake(apis, session, "GET", "/initiatives", params={**params, "status": "draft"}),
        _intake(apis, session, "GET", "/initiatives", params=params),
    )
    items = drafts["items"] + submitted["items"]
    return {"items": items, "total": drafts["total"] + submitted["total"]}


async def read_initiative(apis: ServiceApis, session: Session, initiative_id: UUID) -> Any:
    """The initiative or the draft; :class:`NotVisible` when it is not this person's to see."""
    return await _visible(_intake(apis, session, "GET", f"/initiatives/{initiative_id}"))


async def submit_initiative(apis: ServiceApis, session: Session, form: dict[str, str]) -> Any:
    """The created initiative; :class:`Refused` (422) names the fields at fault."""
    return await _intake(apis, session, "POST", "/initiatives", json=initiative_body(form))


async def save_draft(apis: ServiceApis, session: Session, form: dict[str, str]) -> Any:
    """A new draft with whatever is filled in; nothing is required yet."""
    body: dict[str, Any] = {**initiative_body(form), "draft": True}
    return await _intake(apis, session, "POST", "/initiatives", json=body)


async def change(
    apis: ServiceApis, session: Session, initiative_id: UUID, body: dict[str, Any]
) -> Any:
    """A draft changed, or a submitted initiative amended (intake tells which)."""
    if not body:
        return await read_initiative(apis, session, initiative_id)
    return await _visible(
        _intake(apis, session, "PATCH", f"/initiatives/{initiative_id}", json=body)
    )


async def submit_draft(apis: ServiceApis, session: Session, initiative_id: UUID) -> Any:
    return await _visible(_intake(apis, session, "POST", f"/initiatives/{initiative_id}/submit"))


async def discard_draft(apis: ServiceApis, session: Session, initiative_id: UUID) -> None:
    await _visible(_intake(apis, session, "DELETE", f"/initiatives/{initiative_id}"))


async def withdraw(apis: ServiceApis, session: Session, initiative_id: UUID, reason: str) -> Any:
    return await _visible(
        _intake(
            apis,
            session,
            "POST",
            f"/initiatives/{initiative_id}/withdraw",
            json={"reason": reason},
        )
    )


async def upload(
    apis: ServiceApis,
    session: Session,
    initiative_id: UUID,
    filename: str,
    content: bytes,
    media_type: str,
) -> Any:
    return await _visible(
        _intake(
            apis,
            session,
            "POST",
            f"/initiatives/{initiative_id}/attachments",
            files={"file": (filename, content, media_type)},
        )
    )


async def progress(apis: ServiceApis, session: Session, initiative: dict[str, Any]) -> Any:
    """Reporting's view of the initiative (planned visit, evaluation, decision), or None while
    reporting has not heard of it yet or is down: the page then shows intake's steps only."""
    year = initiative.get("campaign_year")
    if initiative.get("status") == "draft" or not year:
        return None
    path = f"/campaigns/{year}/initiatives/{initiative['initiative_id']}"
    try:
        return await apis.call("reporting", "GET", path, session.access_token)
    except (Refused, ServiceUnavailable):
        return None


async def lineage(apis: ServiceApis, session: Session, initiative: dict[str, Any]) -> Any:
    """Reporting's history of the initiative across years (the earlier initiatives it builds
    on with each year's outcome, the later ones building on it), or None while reporting
    has not heard of it or is down: the page then shows what intake says it builds on."""
    if initiative.get("status") == "draft":
        return None
    path = f"/initiatives/{initiative['initiative_id']}/lineage"
    try:
        return await apis.call("reporting", "GET", path, session.access_token)
    except (Refused, ServiceUnavailable):
        return None


async def schedule(apis: ServiceApis, session: Session) -> list[dict[str, Any]]:
    """The agency's confirmed visits, soonest first, each with its round's notices addressed to
    the agency (THÔNG BÁO) and the initiative's title."""
    visits: list[dict[str, Any]] = await apis.call(
        "scheduling", "GET", "/visits", session.access_token
    )
    visits.sort(key=lambda v: (v["date"], v["starts_at"]))
    rounds = sorted({v["round_id"] for v in visits})
    notices = await asyncio.gather(
        *(
            apis.call("scheduling", "GET", f"/rounds/{r}/notices", session.access_token)
            for r in rounds
        )
    )
    by_round = dict(zip(rounds, notices, strict=True))
    return [{**v, "notices": by_round.get(v["round_id"], [])} for v in visits]


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def timeline(initiative: dict[str, Any], life: dict[str, Any] | None = None) -> list[Step]:
    """The initiative's steps: intake's (draft, submitted, amended, withdrawn), then, from
    reporting's view ``life``, the visit planned on a date, the evaluation, the decision and
    the recommendation."""
    if initiative.get("status") == "draft":
        steps = [
            Step("Bản nháp", _at(initiative.get("updated_at") or initiative["created_at"]), True)
        ]
        steps.append(Step("Đã gửi đề xuất", None, False))
    else:
        steps = [Step("Đã gửi đề xuất", _at(initiative.get("submitted_at")), True)]
    if initiative.get("amended_at"):
        steps.append(Step("Đã chỉnh sửa", _at(initiative["amended_at"]), True))
    if initiative.get("status") == "withdrawn":
        reason = str(initiative.get("withdrawal_reason") or "")
        steps.append(Step("Đã rút đề xuất", _at(initiative.get("withdrawn_at")), True, reason))
        return steps
    reached = PROGRESS.index(life["status"]) if life and life.get("status") in PROGRESS else 0
    planned = bool(life and life.get("visit_date"))
    visit_note = ""
    if life and planned:
        starts = str(life.get("visit_starts_at") or "")[:5]
        visit_note = f"Đợt {life.get('round_sequence') or ''}".strip() + (
            f", lúc {starts}" if starts else ""
        )
    decision = (life or {}).get("decision_name") or ""
    recommendation = (life or {}).get("recommendation") or {}
    steps += [
        Step(
            "Được lên lịch khảo sát",
            _day(life.get("visit_date")) if life and planned else None,
            planned,
            visit_note,
        ),
        Step("Đã được khảo sát, đánh giá", None, reached >= PROGRESS.index("evaluated")),
        Step("Đã có quyết định", None, bool(decision), decision),
        Step(
            "Được đề xuất nhân rộng",
            _at(recommendation.get("decided_at")),
            bool(life and life.get("recommended")),
            str(recommendation.get("scope_name") or ""),
        ),
    ]
    return steps


async def _intake(
    apis: ServiceApis, session: Session, method: str, path: str, **kwargs: Any
) -> Any:
    return await apis.call("intake", method, path, session.access_token, **kwargs)


async def _visible(call: Any) -> Any:
    try:
        return await call
    except Refused as exc:
        if exc.status in (403, 404):
            raise NotVisible from None
        raise
