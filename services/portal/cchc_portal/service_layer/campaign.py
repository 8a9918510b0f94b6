"""What the PAR office and the committee read of a campaign, through reporting's, intake's,
evaluation's and scheduling's APIs with the signed-in person's token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cchc_portal.adapters.api import Refused, ServiceApis
from cchc_portal.service_layer.sessions import Session

# The triage list's filters, named as reporting's query parameters.
TRIAGE_FILTERS = ("par_area", "level", "district_code", "status", "q")
# Reporting's statuses of an initiative, in the order of its life.
LIFE_STATUSES = {
    "submitted": "Đã đăng ký",
    "scheduled": "Đã lên lịch khảo sát",
    "visited": "Đã khảo sát",
    "evaluated": "Đã đánh giá đủ thành viên",
    "recommended": "Đề xuất nhân rộng",
    "withdrawn": "Đã rút",
}
# The tiers of agencies (reporting's ``level``).
LEVELS = {
    "city_department": "Sở, ban, ngành",
    "vertical_agency": "Cơ quan ngành dọc",
    "district": "Thành phố Thủ Đức, quận, huyện",
    "commune": "Phường, xã, thị trấn",
    "unknown": "Chưa có trong danh mục",
}
DECISIONS = {
    "replicate": "Đề xuất công nhận, nhân rộng",
    "improve": "Tiếp tục hoàn thiện",
    "not_recommended": "Không đề xuất",
}
SCOPES = {
    "city_wide": "Nhân rộng toàn Thành phố",
    "district_level": "Nhân rộng cấp huyện",
    "commune_level": "Nhân rộng cấp xã",
    "sector": "Nhân rộng trong ngành",
}
# The campaign's documents, as reporting names them.
CAMPAIGN_DOCUMENTS = {
    "survey-report": "Báo cáo kết quả khảo sát",
    "proposal": "Tờ trình đề xuất công nhận và nhân rộng",
    "par-index-annex": "Phụ lục điểm Chỉ số cải cách hành chính",
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    second: float | None = None  # a second series (e.g. recommended beside submitted)


async def year_choice(
    apis: ServiceApis, session: Session, asked: int | None
) -> tuple[int | None, list[int]]:
    """The campaign a page shows (the one asked for, else the newest that has initiatives;
    None before any) and the campaigns to choose from, newest first.

    Reporting also lists a year that holds only what was carried into it (the PAR-Index
    points of models adopted after the previous campaign): that is not yet a campaign to
    open on."""
    found = await apis.call("reporting", "GET", "/campaigns", session.access_token)
    available = sorted((int(c["campaign_year"]) for c in found), reverse=True)
    if asked is not None:
        return asked, available
    with_initiatives = [
        int(c["campaign_year"]) for c in found if int(c.get("initiatives_received") or 0) > 0
    ]
    newest = max(with_initiatives, default=available[0] if available else None)
    return newest, available


async def _reporting(apis: ServiceApis, session: Session, path: str, **params: Any) -> Any:
    wanted = {k: v for k, v in params.items() if v not in (None, "")}
    return await apis.call("reporting", "GET", path, session.access_token, params=wanted)


async def triage(
    apis: ServiceApis, session: Session, year: int, filters: dict[str, str], page: int
) -> Any:
    """One page of the campaign's initiatives under the filters; reporting's search ignores
    diacritics and case."""
    return await _reporting(
        apis, session, f"/campaigns/{year}/initiatives", page=page, page_size=50, **filters
    )


async def dashboard(apis: ServiceApis, session: Session, year: int) -> Any:
    return await _reporting(apis, session, f"/campaigns/{year}/dashboard")


async def recommended(apis: ServiceApis, session: Session, year: int) -> Any:
    return await _reporting(apis, session, f"/campaigns/{year}/recommended", page_size=100)


async def par_index(apis: ServiceApis, session: Session, year: int) -> Any:
    return await _reporting(apis, session, f"/campaigns/{year}/par-index")


async def ranking(apis: ServiceApis, session: Session, year: int) -> Any:
    """Evaluation's ranking: each initiative's aggregate, final score and decision."""
    return await apis.call("evaluation", "GET", f"/campaigns/{year}/ranking", session.access_token)


async def result(apis: ServiceApis, session: Session, initiative_id: UUID) -> Any:
    return await apis.call(
        "evaluation", "GET", f"/initiatives/{initiative_id}/results", session.access_token
    )


async def decide(
    apis: ServiceApis, session: Session, initiative_id: UUID, form: dict[str, str]
) -> Any:
    """Records the Department's decision (evaluation checks the quorum and the threshold; an
    override reason lets a recommendation below the threshold through, audited)."""
    body: dict[str, Any] = {
        "decision": form.get("decision") or None,
        "scope": form.get("scope") or None,
        "rationale": form.get("rationale", ""),
    }
    if form.get("override_reason", "").strip():
        body["override_reason"] = form["override_reason"]
    body = {k: v for k, v in body.items() if v is not None}
    return await apis.call(
        "evaluation",
        "POST",
        f"/initiatives/{initiative_id}/decision",
        session.access_token,
        json=body,
    )


async def progress(apis: ServiceApis, session: Session, year: int) -> list[dict[str, Any]]:
    """Each round with its visits, and per visit the evaluations recorded and missing (the
    team's members who have not recorded one)."""
    rounds = await _reporting(apis, session, f"/campaigns/{year}/rounds")
    details = await asyncio.gather(
        *(_reporting(apis, session, f"/campaigns/{year}/rounds/{r['round_id']}") for r in rounds)
    )
    for detail in details:
        team = len(detail["team"])
        for visit in detail["visits"]:
            recorded = int(visit["scores"]["evaluation_count"])
            visit["recorded"] = recorded
            visit["missing"] = max(0, team - recorded)
    return list(details)


async def campaigns(apis: ServiceApis, session: Session) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await apis.call(
        "intake", "GET", "/campaigns", session.access_token
    )
    return sorted(found, key=lambda c: c["year"], reverse=True)


CAMPAIGN_FIELDS = (
    "title",
    "submission_opens_on",
    "submission_closes_on",
    "survey_starts_on",
    "survey_ends_on",
    "plan_number",
    "plan_signed_on",
)
# A checkbox: sent ("on") when ticked, absent when not.
SECRETARY_SCORES = "secretary_scores"


def _campaign_body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {k: form[k] for k in CAMPAIGN_FIELDS if form.get(k, "").strip()}
    body[SECRETARY_SCORES] = form.get(SECRETARY_SCORES) == "on"
    return body


async def change_campaign(
    apis: ServiceApis, session: Session, year: int, form: dict[str, str]
) -> Any:
    body = _campaign_body(form)
    return await apis.call("intake", "PATCH", f"/campaigns/{year}", session.access_token, json=body)


async def open_campaign(apis: ServiceApis, session: Session, form: dict[str, str]) -> Any:
    body = _campaign_body(form)
    if form.get("year", "").strip():
        body["year"] = form["year"].strip()
    return await apis.call("intake", "POST", "/campaigns", session.access_token, json=body)


async def rejections(apis: ServiceApis, session: Session, year: int) -> list[dict[str, Any]]:
    """The inbound messages intake refused in the campaign, with their reasons, each with
    ``kept``: intake's copy of it when one was kept for a replay, with the outcome of the
    replays (``status`` accepted or rejected, the latest reasons).

    Reporting's read model lists every refusal it has seen; intake's kept copies are
    written with the refusal, so one that reporting has not caught up with, or of a
    campaign reporting does not know yet (not opened: nothing received), is listed too."""

    async def seen_by_reporting() -> Any:
        try:
            return await _reporting(apis, session, f"/campaigns/{year}/rejections")
        except Refused as exc:
            if exc.status != 404:  # 404: no initiative of that campaign received yet
                raise
            return []

    refused, kept = await asyncio.gather(
        seen_by_reporting(),
        apis.call(
            "intake",
            "GET",
            "/inbound/rejections",
            session.access_token,
            params={"campaign_year": year},
        ),
    )
    copies = {(k["origin_source"], k["origin_id"]): k for k in kept}
    listed = [
        {**r, "kept": copies.pop((r["origin_source"], r["origin_id"]), None)} for r in refused
    ]
    unseen = [{**k, "kept": k} for k in copies.values()]
    return unseen + listed


async def years_with_refusals(apis: ServiceApis, session: Session) -> set[int]:
    """The campaigns that have refused messages still waiting for a replay."""
    waiting = await apis.call(
        "intake",
        "GET",
        "/inbound/rejections",
        session.access_token,
        params={"status": "rejected"},
    )
    return {int(k["campaign_year"]) for k in waiting if k.get("campaign_year")}


async def replay_rejection(apis: ServiceApis, session: Session, rejection_id: UUID) -> Any:
    """Intake processes the kept copy again; its answer is the outcome."""
    return await apis.call(
        "intake", "POST", f"/inbound/rejections/{rejection_id}/replay", session.access_token
    )


async def rounds(apis: ServiceApis, session: Session, year: int) -> Any:
    return await _reporting(apis, session, f"/campaigns/{year}/rounds")


def bars_by_area(dashboard: dict[str, Any]) -> list[Bar]:
    return [
        Bar(a["par_area_name"], a["submitted"], a["recommended"]) for a in dashboard["by_par_area"]
    ]


def bars_by_level(dashboard: dict[str, Any]) -> list[Bar]:
    return [Bar(LEVELS.get(k, k), v) for k, v in dashboard["by_level"].items()]


def score_histogram(scores: list[float], width: int = 10) -> list[Bar]:
    """How many initiatives scored in each band of ``width`` points, 0 to 100."""
    counts = [0] * (100 // width)
    for score in scores:
        counts[min(len(counts) - 1, max(0, int(score // width)))] += 1
    return [Bar(f"{i * width}–{(i + 1) * width}", n) for i, n in enumerate(counts)]
