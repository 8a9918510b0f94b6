"""The PAR office's planner: the automatic planner runs as a background job in scheduling
(``/plan-jobs``); the page follows its progress, shows the best proposal's rounds on a calendar
with the rule warnings, accepts it into draft rounds, which are adjusted and confirmed through
scheduling's ``/rounds``."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cchc_portal.adapters.api import Refused, ServiceApis
from cchc_portal.service_layer.agency import NotVisible
from cchc_portal.service_layer.sessions import Session

# The request of a planning job, by the fields of scheduling's PlanIn.
JOB_FIELDS = ("campaign_year", "first_day", "last_day", "time_limit_seconds")
FINISHED = ("done", "failed", "stopped")
JOB_STATUS_LABELS = {
    "running": "Đang lập phương án",
    "done": "Đã xong",
    "failed": "Không lập được phương án",
    "stopped": "Đã dừng",
}
ROUND_STATUS_LABELS = {"draft": "Dự thảo", "confirmed": "Đã xác nhận", "cancelled": "Đã hủy"}
TEAM_ROLE_LABELS = {"head": "Trưởng đoàn", "member": "Thành viên", "secretary": "Thư ký"}
WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
# The planner's measures of a proposal (its ``quality``) that the page shows, in the office's
# words; the per-member table and the months are shown on their own.
QUALITY_LABELS = {
    "rounds_used": "Số đợt khảo sát",
    "visits": "Số cuộc khảo sát",
    "travel_days": "Số ngày đoàn đi khảo sát",
    "districts_per_survey_day": "Số quận, huyện bình quân mỗi ngày",
}


def load_summary(quality: dict[str, Any]) -> str:
    """The members' visits, fewest to most (how evenly the plan loads the team)."""
    spread = quality.get("member_load") or {}
    if not spread:
        return ""
    return (
        f"{spread.get('min', 0):g} – {spread.get('max', 0):g} cuộc "
        f"(bình quân {spread.get('mean', 0):g})"
    ).replace(".", ",")


def months_summary(quality: dict[str, Any]) -> list[tuple[str, int]]:
    """Visits per month, as "06/2026"."""
    return [
        (f"{month[5:]}/{month[:4]}", int(count))
        for month, count in (quality.get("visits_per_month") or {}).items()
    ]


def job_body(form: dict[str, str]) -> dict[str, Any]:
    """The JSON body of ``POST /plan-jobs`` from the form: empty fields are not sent (the
    planner's defaults apply); the rest is sent as typed, for the API to judge."""
    body: dict[str, Any] = {}
    for name in JOB_FIELDS:
        typed = form.get(name, "").strip()
        if not typed:
            continue
        if name == "campaign_year" and typed.isdigit():
            body[name] = int(typed)
        elif name == "time_limit_seconds":
            try:
                body[name] = float(typed.replace(",", "."))
            except ValueError:
                body[name] = typed
        else:
            body[name] = typed
    return body


async def start_job(apis: ServiceApis, session: Session, body: dict[str, Any]) -> str:
    started: dict[str, Any] = await apis.call(
        "scheduling", "POST", "/plan-jobs", session.access_token, json=body
    )
    return str(started["job_id"])


async def _visible(apis: ServiceApis, session: Session, method: str, path: str) -> Any:
    try:
        return await apis.call("scheduling", method, path, session.access_token)
    except Refused as exc:
        if exc.status == 404:
            raise NotVisible from None
        raise


async def read_job(apis: ServiceApis, session: Session, job_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await _visible(apis, session, "GET", f"/plan-jobs/{job_id}")
    return found


async def stop_job(apis: ServiceApis, session: Session, job_id: str) -> None:
    await _visible(apis, session, "POST", f"/plan-jobs/{job_id}/stop")


async def accept(apis: ServiceApis, session: Session, proposal_id: str) -> list[dict[str, Any]]:
    drafts: list[dict[str, Any]] = await _visible(
        apis, session, "POST", f"/plans/{proposal_id}/accept"
    )
    return drafts


async def read_round(apis: ServiceApis, session: Session, round_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await _visible(apis, session, "GET", f"/rounds/{round_id}")
    return found


async def draft_rounds(apis: ServiceApis, session: Session, year: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await apis.call(
        "scheduling",
        "GET",
        "/rounds",
        session.access_token,
        params={"campaign_year": year, "status": "draft"},
    )
    return found


async def names(
    apis: ServiceApis, session: Session, year: int
) -> tuple[dict[str, str], dict[str, str]]:
    """The roster's names by member id and the pool's titles by initiative id, to show a
    proposal (which names only ids)."""
    roster: list[dict[str, Any]] = await apis.call(
        "scheduling", "GET", "/roster", session.access_token
    )
    pool: list[dict[str, Any]] = await apis.call(
        "scheduling", "GET", "/pool", session.access_token, params={"campaign_year": year}
    )
    return (
        {str(m["member_id"]): str(m["name"]) for m in roster},
        {str(i["initiative_id"]): str(i["title"]) for i in pool},
    )


def round_body(round_: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """The JSON body of ``PUT /rounds/{id}`` from the adjustment form, whose fields are named
    as the body's (``visits[0].date``, ``team[1].role``...): the round as it is, with what the
    form changed."""
    visits = []
    for i, visit in enumerate(round_.get("visits", [])):
        prefix = f"visits[{i}]."
        visits.append(
            {
                "visit_id": visit["visit_id"],
                "initiative_id": visit["initiative_id"],
                "agency_code": visit["agency_code"],
                "date": form.get(f"{prefix}date", visit["date"]).strip(),
                "starts_at": form.get(f"{prefix}starts_at", str(visit["starts_at"])[:5]).strip(),
                "place": form.get(f"{prefix}place", visit.get("place", "")).strip(),
            }
        )
    team = [
        {
            "member_id": seat["member_id"],
            "role": form.get(f"team[{i}].role", seat["role"]).strip(),
        }
        for i, seat in enumerate(round_.get("team", []))
    ]
    return {
        "title": form.get("title", round_.get("title", "")).strip(),
        "team": team,
        "visits": visits,
        "reason": form.get("reason", "").strip(),
    }


async def adjust(
    apis: ServiceApis, session: Session, round_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    changed: dict[str, Any] = await apis.call(
        "scheduling", "PUT", f"/rounds/{round_id}", session.access_token, json=body
    )
    return changed


async def confirm(apis: ServiceApis, session: Session, round_id: str) -> dict[str, Any]:
    confirmed: dict[str, Any] = await apis.call(
        "scheduling", "POST", f"/rounds/{round_id}/confirm", session.access_token
    )
    return confirmed


@dataclass
class Day:
    day: date | None
    entries: list[str] = field(default_factory=list)  # "Đợt 1: 2 cuộc"


@dataclass
class Month:
    title: str
    weeks: list[list[Day]]


def calendar_of(rounds: list[dict[str, Any]], label: str = "Đợt") -> list[Month]:
    """The months the rounds' visits fall in, as weeks of days (Monday first), each day with
    the rounds that visit on it and how many visits."""
    per_day: dict[date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for n, round_ in enumerate(rounds, start=1):
        for visit in round_.get("visits", []):
            per_day[date.fromisoformat(str(visit["date"]))][n] += 1
    if not per_day:
        return []
    months: list[Month] = []
    first, last = min(per_day), max(per_day)
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append(
                [
                    Day(
                        d if d.month == month else None,
                        [
                            f"{label} {n}: {count} cuộc"
                            for n, count in sorted(per_day.get(d, {}).items())
                        ]
                        if d.month == month
                        else [],
                    )
                    for d in week
                ]
            )
        months.append(Month(f"Tháng {month}/{year}", weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def warning_text(warning: Any) -> str:
    """A rule warning of the planner or of a round's check, in Vietnamese."""
    if isinstance(warning, dict):
        return str(warning.get("message") or warning.get("message_vi") or warning)
    return str(warning)
