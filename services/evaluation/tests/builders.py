"""Builders of realistic 2023 events and score sheets, shared by unit and integration tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from cchc_evaluation.domain.evaluations import VIETNAM
from cchc_shared.contracts import (
    CloudEvent,
    EventData,
    InitiativeSubmittedV1,
    RoundScheduledV1,
    decode_message,
    encode_event,
)
from cchc_shared.contracts.events import TeamMember, Visit

CRITERIA = ("novelty", "applicability", "effectiveness", "satisfaction", "replicability")


def vn_today() -> date:
    return datetime.now(UTC).astimezone(VIETNAM).date()


def as_cloud_event(
    data: EventData,
    *,
    event_id: str | None = None,
    at: datetime | None = None,
    source: str = "/cchc/test",
) -> CloudEvent:
    message = encode_event(data, source=source, event_id=event_id, occurred_at=at)
    return decode_message(message.body, {}, message.content_type)


def submitted(
    agency_code: str,
    title: str,
    *,
    initiative_id: UUID | None = None,
    campaign_year: int = 2023,
    par_area: str = "procedures",
    at: datetime | None = None,
) -> InitiativeSubmittedV1:
    return InitiativeSubmittedV1(
        initiative_id=initiative_id or uuid.uuid4(),
        campaign_year=campaign_year,
        agency_code=agency_code,
        kind="model",
        title=title,
        summary="Tiếp nhận và trả kết quả thủ tục hành chính trong ngày tại bộ phận một cửa.",
        par_area=par_area,  # type: ignore[arg-type]
        applied_since=date(2022, 3, 1),
        results="98% hồ sơ giải quyết đúng hạn; mức hài lòng của người dân đạt 96%.",
        limitations="Chưa liên thông dữ liệu với một số sở, ngành.",
        submitted_at=at or datetime(2023, 4, 12, 2, 30, tzinfo=UTC),
    )


def member(member_id: str, name: str, role: str = "member", agency: str = "SNV") -> TeamMember:
    return TeamMember(member_id=member_id, name=name, role=role, agency_code=agency)  # type: ignore[arg-type]


def visit(
    initiative_id: UUID, agency_code: str, on: date, *, visit_id: UUID | None = None
) -> Visit:
    return Visit(
        visit_id=visit_id or uuid.uuid4(),
        initiative_id=initiative_id,
        agency_code=agency_code,
        date=on,
        starts_at=time(8, 30),
    )


def scheduled(
    team: list[TeamMember],
    visits: list[Visit],
    *,
    round_id: UUID | None = None,
    sequence: int = 1,
    campaign_year: int = 2023,
) -> RoundScheduledV1:
    days = [v.date for v in visits] or [vn_today()]
    return RoundScheduledV1(
        round_id=round_id or uuid.uuid4(),
        campaign_year=campaign_year,
        sequence=sequence,
        starts_on=min(days),
        ends_on=max(days),
        team=team,
        visits=visits,
    )


def sheet(*points: float) -> list[dict[str, Any]]:
    """Scores in the default rubric's order: novelty /15, applicability /15,
    effectiveness /25, satisfaction /25, replicability /20."""
    assert len(points) == len(CRITERIA)
    return [{"criterion": c, "score": p} for c, p in zip(CRITERIA, points, strict=True)]


def evaluation_body(
    visit_id: UUID, *points: float, recommendation: str = "replicate"
) -> dict[str, Any]:
    return {
        "visit_id": str(visit_id),
        "scores": sheet(*points),
        "strengths": "Quy trình rõ ràng, công khai; người dân được hướng dẫn một lần.",
        "limitations": "Phụ thuộc vào nhân sự bộ phận một cửa.",
        "difficulties": "Phần mềm chưa kết nối với cơ sở dữ liệu quốc gia về dân cư.",
        "recommendation": recommendation,
    }


def days_from_today(n: int) -> date:
    return vn_today() + timedelta(days=n)
