"""The surveyor's workspace: their visits (evaluation's ``/my/visits``, with the place from
scheduling's ``/visits``), the rubric of the visit's campaign, recording the on-site evaluation
under the device's Idempotency-Key, and the team's scores afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from cchc_portal.adapters.api import Refused, ServiceApis
from cchc_portal.service_layer.agency import NotVisible
from cchc_portal.service_layer.sessions import Session
from cchc_shared.clock import VIETNAM

# The sheet's fields besides the scores, named as evaluation's JSON fields.
NARRATIVE_FIELDS = ("strengths", "limitations", "difficulties")
SHEET_FIELDS = (*NARRATIVE_FIELDS, "recommendation")
# A score's form field is ``scores.<criterion code>``; the API names a score's fault
# ``scores[<index>].score``.
SCORE_PREFIX = "scores."
_SCORE_FAULT = re.compile(r"^scores\[(\d+)\]")


@dataclass(frozen=True)
class MyVisit:
    visit_id: str
    round_id: str
    round_sequence: int
    round_status: str
    day: date
    starts_at: str
    agency_code: str
    place: str
    initiative_id: str
    initiative: dict[str, Any] | None
    campaign_year: int
    evaluation_id: str | None
    opens_on: date
    decided: bool

    @property
    def title(self) -> str:
        found = (self.initiative or {}).get("title")
        return str(found) if found else "Sáng kiến chưa có tiêu đề"

    def may_evaluate(self, today: date) -> bool:
        return (
            self.evaluation_id is None
            and not self.decided
            and self.round_status != "cancelled"
            and today >= self.opens_on
        )


@dataclass
class VisitLists:
    today: list[MyVisit] = field(default_factory=list)
    upcoming: list[MyVisit] = field(default_factory=list)
    past: list[MyVisit] = field(default_factory=list)


def vietnam_today(now: datetime | None = None) -> date:
    return (now or datetime.now(VIETNAM)).astimezone(VIETNAM).date()


def _visit(item: dict[str, Any], places: dict[str, str]) -> MyVisit:
    visit = item["visit"]
    initiative = item.get("initiative")
    day = date.fromisoformat(visit["date"])
    return MyVisit(
        visit_id=str(visit["visit_id"]),
        round_id=str(item["round_id"]),
        round_sequence=int(item["round_sequence"]),
        round_status=str(item["round_status"]),
        day=day,
        starts_at=str(visit["starts_at"])[:5],
        agency_code=str(visit["agency_code"]),
        place=places.get(str(visit["visit_id"]), ""),
        initiative_id=str(visit["initiative_id"]),
        initiative=initiative,
        campaign_year=int(initiative["campaign_year"]) if initiative else day.year,
        evaluation_id=str(item["evaluation_id"]) if item.get("evaluation_id") else None,
        opens_on=date.fromisoformat(item["evaluation_opens_on"]),
        decided=bool(item.get("decided")),
    )


async def _scheduled_visits(apis: ServiceApis, session: Session) -> list[dict[str, Any]]:
    try:
        found: list[dict[str, Any]] = await apis.call(
            "scheduling", "GET", "/visits", session.access_token
        )
    except Refused:
        return []
    return found


async def my_visits(apis: ServiceApis, session: Session) -> list[MyVisit]:
    """The member's visits, soonest first. The place comes from scheduling, which may not
    know a round that evaluation knows (then the place is left out, never the visit)."""
    found, scheduled = await asyncio.gather(
        apis.call("evaluation", "GET", "/my/visits", session.access_token),
        _scheduled_visits(apis, session),
    )
    places = {str(v["visit_id"]): str(v.get("place") or "") for v in scheduled}
    visits = [_visit(item, places) for item in found]
    return sorted(visits, key=lambda v: (v.day, v.starts_at))


def by_day(visits: list[MyVisit], today: date) -> VisitLists:
    lists = VisitLists()
    for v in visits:
        if v.day == today:
            lists.today.append(v)
        elif v.day > today:
            lists.upcoming.append(v)
        else:
            lists.past.append(v)
    lists.past.reverse()  # the latest first
    return lists


async def my_visit(apis: ServiceApis, session: Session, visit_id: UUID) -> MyVisit:
    """One of the member's visits; another member's, or an absent one, is not visible."""
    for v in await my_visits(apis, session):
        if v.visit_id == str(visit_id):
            return v
    raise NotVisible


async def rubric(apis: ServiceApis, session: Session, campaign_year: int) -> dict[str, Any]:
    found: dict[str, Any] = await apis.call(
        "evaluation", "GET", f"/rubrics/{campaign_year}", session.access_token
    )
    return found


def sheet_body(
    visit: MyVisit, criteria: list[dict[str, Any]], form: dict[str, str]
) -> dict[str, Any]:
    """The JSON body of ``POST /evaluations`` from the form. A score left empty is not sent,
    so the API names the criterion as missing; a score that is not a number is sent as typed
    and refused by the API beside its field."""
    scores: list[dict[str, Any]] = []
    for criterion in criteria:
        typed = form.get(f"{SCORE_PREFIX}{criterion['code']}", "").strip().replace(",", ".")
        if not typed:
            continue
        try:
            value: Any = float(typed)
        except ValueError:
            value = typed
        scores.append({"criterion": criterion["code"], "score": value})
    body: dict[str, Any] = {"visit_id": visit.visit_id, "scores": scores}
    for name in SHEET_FIELDS:
        if form.get(name, "").strip():
            body[name] = form[name]
    return body


def sheet_total(criteria: list[dict[str, Any]], form: dict[str, str]) -> float:
    """The running total of the scores typed (what the page's script shows as they are typed)."""
    total = 0.0
    for c in criteria:
        typed = form.get(f"{SCORE_PREFIX}{c['code']}", "").strip().replace(",", ".")
        with contextlib.suppress(ValueError):
            total += float(typed)
    return round(total, 2)


def missing_scores(criteria: list[dict[str, Any]], form: dict[str, str]) -> dict[str, str]:
    return {
        f"{SCORE_PREFIX}{c['code']}": "Chưa chấm điểm tiêu chí này"
        for c in criteria
        if not form.get(f"{SCORE_PREFIX}{c['code']}", "").strip()
    }


def sheet_errors(
    refused: Refused, criteria: list[dict[str, Any]], form: dict[str, str], sent: dict[str, Any]
) -> dict[str, str]:
    """The API's faults by the form's field names (``scores[i]...`` is the score field of the
    i-th criterion sent), with every criterion left unscored named beside its field: the API
    checks the scores only once the rest of the sheet is well formed, the page says all."""
    errors = missing_scores(criteria, form)
    sent_codes = [s["criterion"] for s in sent.get("scores", [])]
    for name, message in refused.by_field().items():
        match = _SCORE_FAULT.match(name)
        if match and int(match.group(1)) < len(sent_codes):
            errors.setdefault(f"{SCORE_PREFIX}{sent_codes[int(match.group(1))]}", message)
        elif name == "scores":
            if not any(k.startswith(SCORE_PREFIX) for k in errors):
                errors.setdefault("", message)
        else:
            errors.setdefault(name, message)
    return errors


async def record(
    apis: ServiceApis, session: Session, body: dict[str, Any], idempotency_key: str | None
) -> dict[str, Any]:
    """The recorded evaluation (the first one recorded under the key, if it was sent before)."""
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    found: dict[str, Any] = await apis.call(
        "evaluation", "POST", "/evaluations", session.access_token, json=body, headers=headers
    )
    return found


async def team_results(apis: ServiceApis, session: Session, initiative_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await apis.call(
        "evaluation", "GET", f"/initiatives/{initiative_id}/results", session.access_token
    )
    return found
