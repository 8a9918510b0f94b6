"""A small 2023 campaign whose read models are computed by hand below.

Eight initiatives (A-H) from a department (STP), a vertical agency (CTHUE), Quận 1 (760) and
two of its wards (26740 Bến Nghé, 26734 Tân Định) and Thủ Đức City (769); three rounds:

* round 1 (4 visits: A B C D), team head + m1 + m2 evaluate, secretary s1 does not;
* round 2, scheduled then rescheduled (the reschedule is delivered FIRST): visits E F H,
  evaluators head + m3;
* round 3 (visit G) cancelled (the cancellation is delivered BEFORE the schedule).

Evaluations (totals): A 85, 80->81 (m1 amends), 90; B 70, 75, 78; C 60, 65, 71; D 88, 86, 87;
E 78 by the head only (delivered before round 2 and before E's submission); F 90 (then F is
withdrawn).
A is amended (the amendment is delivered before the submission). A and D are recommended;
C is decided not to be recommended (the decision is delivered before its evaluations).
Several events are delivered twice. One inbound message was rejected.
The evaluation service's PAR-Index contributions (its rule, not reporting's) arrive as events:
an older state of Quận 1 after its newest, and a redelivery of the newest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from cchc_shared.contracts import (
    EncodedMessage,
    EvaluationRecordedV1,
    EventData,
    InitiativeAmendedV1,
    InitiativeRejectedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    ParIndexContributionUpdatedV1,
    ReplicationRecommendedV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
    encode_event,
)
from cchc_shared.contracts.events import (
    CriterionScore,
    FieldErrorData,
    ParIndexRuleData,
    SelectionDecidedV1,
    TeamMember,
    Visit,
    service_source,
)

YEAR: Final = 2023
NS: Final = uuid.UUID("6f1c1a34-6a51-4a8e-9d1e-6f7c2b0e2023")


def uid(name: str) -> uuid.UUID:
    return uuid.uuid5(NS, name)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(YEAR, month, day, hour, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Spec:
    key: str
    agency: str
    area: str
    kind: str
    title: str


INITIATIVES: Final = (
    Spec("A", "STP", "procedures", "model", "Một cửa điện tử liên thông công chứng"),
    Spec("B", "STP", "digital_government", "solution", "Số hóa hồ sơ lý lịch tư pháp"),
    Spec("C", "CTHUE", "digital_government", "initiative", "Hỗ trợ kê khai thuế qua Zalo"),
    Spec("D", "760", "procedures", "model", "Quận 1 trả kết quả tận nhà"),
    Spec("E", "26740", "procedures", "initiative", "Phường Bến Nghé không hẹn lần hai"),
    Spec("F", "26734", "civil_service", "model", "Đánh giá công chức qua ứng dụng"),
    Spec("G", "769", "organisation", "solution", "Sắp xếp bộ phận một cửa Thủ Đức"),
    Spec("H", "769", "institutional", "model", "Rà soát văn bản quy phạm của Thủ Đức"),
)
SPEC = {s.key: s for s in INITIATIVES}
AMENDED_TITLE_A: Final = "Một cửa điện tử liên thông công chứng, chứng thực"

TEAM_1: Final = (
    TeamMember(member_id="m-head", name="Ngô Thị Hoàng Các", role="head", agency_code="SNV"),
    TeamMember(member_id="m1", name="Trần Văn Ơn", role="member", agency_code="SNV"),
    TeamMember(member_id="m2", name="Lê Thị Ưng", role="member", agency_code="VPUB"),
    TeamMember(member_id="s1", name="Phạm Đức Thư", role="secretary", agency_code="SNV"),
)
TEAM_2: Final = (
    TeamMember(member_id="m-head", name="Ngô Thị Hoàng Các", role="head", agency_code="SNV"),
    TeamMember(member_id="m3", name="Võ Minh Đức", role="member", agency_code="SNV"),
)


def submitted(key: str) -> InitiativeSubmittedV1:
    s = SPEC[key]
    return InitiativeSubmittedV1(
        initiative_id=uid(key),
        campaign_year=YEAR,
        agency_code=s.agency,
        kind=s.kind,  # type: ignore[arg-type]
        title=s.title,
        summary=f"Tóm tắt: {s.title}.",
        par_area=s.area,  # type: ignore[arg-type]
        applied_since=date(2022, 3, 1),
        results=f"Kết quả của {s.title}: giảm thời gian giải quyết hồ sơ.",
        limitations="Cần thêm kinh phí duy trì.",
        submitted_at=at(4, 3) + timedelta(minutes=ord(key)),
    )


def amended_a() -> InitiativeAmendedV1:
    base = submitted("A")
    return InitiativeAmendedV1(
        **{**base.model_dump(), "title": AMENDED_TITLE_A},
        amended_at=at(4, 20),
    )


def visit(key: str, day: date) -> Visit:
    return Visit(
        visit_id=uid(f"visit-{key}"),
        initiative_id=uid(key),
        agency_code=SPEC[key].agency,
        date=day,
        starts_at=time(8, 30),
    )


def round_1() -> RoundScheduledV1:
    return RoundScheduledV1(
        round_id=uid("round-1"),
        campaign_year=YEAR,
        sequence=1,
        starts_on=date(2023, 6, 12),
        ends_on=date(2023, 6, 16),
        team=list(TEAM_1),
        visits=[
            visit("A", date(2023, 6, 12)),
            visit("B", date(2023, 6, 13)),
            visit("C", date(2023, 6, 14)),
            visit("D", date(2023, 6, 15)),
        ],
    )


def round_2_first() -> RoundScheduledV1:
    return RoundScheduledV1(
        round_id=uid("round-2"),
        campaign_year=YEAR,
        sequence=2,
        starts_on=date(2023, 7, 10),
        ends_on=date(2023, 7, 14),
        team=[TEAM_1[0], TEAM_1[1]],
        visits=[visit("E", date(2023, 7, 10)), visit("F", date(2023, 7, 11))],
    )


def round_2_rescheduled() -> RoundRescheduledV1:
    return RoundRescheduledV1(
        round_id=uid("round-2"),
        campaign_year=YEAR,
        sequence=2,
        starts_on=date(2023, 7, 17),
        ends_on=date(2023, 7, 21),
        team=list(TEAM_2),
        visits=[
            visit("E", date(2023, 7, 17)),
            visit("F", date(2023, 7, 18)),
            visit("H", date(2023, 7, 19)),
        ],
        reason="Trưởng đoàn bận họp Ban Chỉ đạo",
    )


def round_3() -> RoundScheduledV1:
    return RoundScheduledV1(
        round_id=uid("round-3"),
        campaign_year=YEAR,
        sequence=3,
        starts_on=date(2023, 8, 7),
        ends_on=date(2023, 8, 11),
        team=list(TEAM_2),
        visits=[visit("G", date(2023, 8, 8))],
    )


def round_3_cancelled() -> RoundCancelledV1:
    return RoundCancelledV1(
        round_id=uid("round-3"),
        campaign_year=YEAR,
        sequence=3,
        reason="Đơn vị đề nghị lùi sang năm sau",
        cancelled_at=at(8, 1),
    )


def evaluation(
    key: str,
    evaluator: str,
    total: float,
    recommendation: str,
    round_name: str,
    day: datetime,
    name: str | None = None,
) -> EvaluationRecordedV1:
    return EvaluationRecordedV1(
        evaluation_id=uid(name or f"evaluation-{key}-{evaluator}"),
        initiative_id=uid(key),
        round_id=uid(round_name),
        visit_id=uid(f"visit-{key}"),
        evaluator_id=evaluator,
        scores=[
            CriterionScore(criterion="Tính mới, sáng tạo", score=total * 0.3, max_score=30),
            CriterionScore(criterion="Hiệu quả, lợi ích", score=total * 0.7, max_score=70),
        ],
        total=total,
        strengths=f"Ưu điểm của {SPEC[key].title}: người dân hài lòng.",
        limitations="Hạ tầng công nghệ thông tin chưa đồng bộ.",
        difficulties="Thiếu nhân lực có chuyên môn.",
        recommendation=recommendation,  # type: ignore[arg-type]
        recorded_at=day,
    )


def recommended(key: str, final_score: float, count: int, scope: str) -> ReplicationRecommendedV1:
    s = SPEC[key]
    return ReplicationRecommendedV1(
        initiative_id=uid(key),
        agency_code=s.agency,
        title=AMENDED_TITLE_A if key == "A" else s.title,
        kind=s.kind,  # type: ignore[arg-type]
        par_area=s.area,  # type: ignore[arg-type]
        final_score=final_score,
        evaluation_count=count,
        scope=scope,  # type: ignore[arg-type]
        rationale=f"Mô hình {s.title} hiệu quả, dễ áp dụng ở đơn vị khác.",
        decided_at=at(10, 20),
        campaign_year=YEAR,
    )


def decided(key: str, decision: str, final_score: float, scope: str | None) -> SelectionDecidedV1:
    s = SPEC[key]
    return SelectionDecidedV1(
        initiative_id=uid(key),
        campaign_year=YEAR,
        agency_code=s.agency,
        title=AMENDED_TITLE_A if key == "A" else s.title,
        kind=s.kind,  # type: ignore[arg-type]
        par_area=s.area,  # type: ignore[arg-type]
        decision=decision,  # type: ignore[arg-type]
        scope=scope,  # type: ignore[arg-type]
        final_score=final_score,
        evaluation_count=3,
        rationale=f"Quyết định về {s.title}.",
        decided_at=at(10, 20),
    )


def rejected() -> InitiativeRejectedV1:
    return InitiativeRejectedV1(
        origin_source="https://dichvucong.hochiminhcity.gov.vn",
        origin_id="msg-42",
        errors=[FieldErrorData(field="$.data.agency_code", message="unknown agency")],
    )


PAR_RULE: Final = ParIndexRuleData(
    per_submitted=0.5,
    per_surveyed=0.5,
    per_recommended=1.0,
    cap=3.0,
    district_counts_wards=True,
    final_score_method="mean",
)


def contribution(
    code: str, version: int, counts: tuple[int, int, int], mean: float | None, points: float
) -> ParIndexContributionUpdatedV1:
    submitted_, surveyed, recommended_ = counts
    return ParIndexContributionUpdatedV1(
        campaign_year=YEAR,
        agency_code=code,
        version=version,
        submitted=submitted_,
        surveyed=surveyed,
        recommended=recommended_,
        mean_score=mean,
        points=points,
        rule=PAR_RULE,
        computed_at=at(10, 20) + timedelta(minutes=version),
    )


def message(name: str, data: EventData, occurred_at: datetime) -> EncodedMessage:
    return encode_event(
        data,
        source=service_source(type(data).publisher),
        event_id=str(uid(f"event-{name}")),
        occurred_at=occurred_at,
    )


def campaign_messages() -> list[EncodedMessage]:
    """The campaign's events in a deliberately awkward delivery order, with duplicates."""
    r1_day = at(6, 12, 15)
    r2_day = at(7, 17, 15)
    m = {
        "amend-A": message("amend-A", amended_a(), at(4, 20)),
        **{f"submit-{k}": message(f"submit-{k}", submitted(k), at(4, 3)) for k in "ABCDEFGH"},
        "round-1": message("round-1", round_1(), at(6, 1)),
        "round-2": message("round-2", round_2_first(), at(6, 20)),
        "round-2-re": message("round-2-re", round_2_rescheduled(), at(7, 3)),
        "round-3": message("round-3", round_3(), at(7, 20)),
        "round-3-cancel": message("round-3-cancel", round_3_cancelled(), at(8, 1)),
        "eval-A-head": message(
            "eval-A-head", evaluation("A", "m-head", 85, "replicate", "round-1", r1_day), r1_day
        ),
        "eval-A-m1": message(
            "eval-A-m1", evaluation("A", "m1", 80, "improve", "round-1", r1_day), r1_day
        ),
        "eval-A-m1-amended": message(
            "eval-A-m1-amended",
            evaluation("A", "m1", 81, "replicate", "round-1", r1_day + timedelta(hours=2)),
            r1_day + timedelta(hours=2),
        ),
        "eval-A-m2": message(
            "eval-A-m2", evaluation("A", "m2", 90, "replicate", "round-1", r1_day), r1_day
        ),
        "eval-B-head": message(
            "eval-B-head", evaluation("B", "m-head", 70, "improve", "round-1", r1_day), r1_day
        ),
        "eval-B-m1": message(
            "eval-B-m1", evaluation("B", "m1", 75, "improve", "round-1", r1_day), r1_day
        ),
        "eval-C-head": message(
            "eval-C-head",
            evaluation("C", "m-head", 60, "not_recommended", "round-1", r1_day),
            r1_day,
        ),
        "eval-C-m1": message(
            "eval-C-m1", evaluation("C", "m1", 65, "not_recommended", "round-1", r1_day), r1_day
        ),
        "eval-C-m2": message(
            "eval-C-m2", evaluation("C", "m2", 71, "improve", "round-1", r1_day), r1_day
        ),
        "eval-D-head": message(
            "eval-D-head", evaluation("D", "m-head", 88, "replicate", "round-1", r1_day), r1_day
        ),
        "eval-D-m1": message(
            "eval-D-m1", evaluation("D", "m1", 86, "replicate", "round-1", r1_day), r1_day
        ),
        "eval-D-m2": message(
            "eval-D-m2", evaluation("D", "m2", 87, "replicate", "round-1", r1_day), r1_day
        ),
        "eval-E-head": message(
            "eval-E-head", evaluation("E", "m-head", 78, "replicate", "round-2", r2_day), r2_day
        ),
        "eval-B-m2": message(
            "eval-B-m2", evaluation("B", "m2", 78, "improve", "round-1", r1_day), r1_day
        ),
        "eval-F-head": message(
            "eval-F-head", evaluation("F", "m-head", 90, "replicate", "round-2", r2_day), r2_day
        ),
        "rec-A": message("rec-A", recommended("A", 85.33, 3, "city_wide"), at(10, 20)),
        "decide-A": message("decide-A", decided("A", "replicate", 85.33, "city_wide"), at(10, 20)),
        "decide-C": message("decide-C", decided("C", "not_recommended", 65.33, None), at(10, 20)),
        "decide-D": message(
            "decide-D", decided("D", "replicate", 87.0, "district_level"), at(10, 20)
        ),
        "rec-D": message("rec-D", recommended("D", 87.0, 3, "district_level"), at(10, 20)),
        "withdraw-F": message(
            "withdraw-F",
            InitiativeWithdrawnV1(
                initiative_id=uid("F"),
                campaign_year=YEAR,
                agency_code="26734",
                reason="Đơn vị rút để hoàn thiện thêm",
                withdrawn_at=at(10, 25),
            ),
            at(10, 25),
        ),
        "rejected": message("rejected", rejected(), at(5, 2)),
        # What the evaluation service announced (EXPECTED_PAR and EXPECTED_POINTS below).
        "par-STP-1": message("par-STP-1", contribution("STP", 1, (1, 0, 0), None, 0.5), at(4, 3)),
        "par-STP-5": message(
            "par-STP-5", contribution("STP", 5, (2, 2, 1), 79.83, 3.0), at(10, 20)
        ),
        "par-CTHUE-3": message(
            "par-CTHUE-3", contribution("CTHUE", 3, (1, 1, 0), 65.33, 1.0), at(6, 14)
        ),
        "par-760-2": message("par-760-2", contribution("760", 2, (2, 1, 0), 87.0, 1.5), at(6, 15)),
        "par-760-4": message("par-760-4", contribution("760", 4, (2, 2, 1), 82.5, 3.0), at(10, 20)),
        "par-769-2": message("par-769-2", contribution("769", 2, (2, 0, 0), None, 1.0), at(4, 3)),
    }
    order = [
        "amend-A",  # an amendment before its submission
        "eval-E-head",  # an evaluation before its round and before E's submission
        "round-2-re",  # the reschedule before the schedule
        "round-3-cancel",  # the cancellation before the schedule
        "decide-C",  # a decision before the evaluations it rests on
        "eval-A-m1-amended",  # the amended evaluation before the one it replaces
        "submit-A",
        "submit-B",
        "submit-A",  # duplicate
        "submit-C",
        "submit-D",
        "submit-F",
        "submit-G",
        "submit-H",
        "rejected",
        "round-1",
        "round-2",
        "round-3",
        "round-1",  # duplicate
        "eval-A-head",
        "eval-A-m1",
        "eval-A-m2",
        "eval-B-head",
        "eval-B-m1",
        "eval-B-m2",
        "eval-C-head",
        "eval-C-m1",
        "eval-C-m2",
        "eval-D-head",
        "eval-D-m1",
        "eval-D-m2",
        "eval-D-m2",  # duplicate
        "eval-F-head",
        "submit-E",
        "decide-A",
        "rec-A",
        "rec-D",
        "decide-D",
        "rec-D",  # duplicate
        "withdraw-F",  # a withdrawal after everything
        "par-STP-5",  # the newest state before an older one
        "par-STP-1",
        "par-CTHUE-3",
        "par-760-4",
        "par-760-2",  # an older state after the newest: ignored
        "par-760-4",  # duplicate
        "par-769-2",
    ]
    return [m[name] for name in order]


DISTINCT_EVENTS: Final = 42


# ---- the read models, computed by hand ----------------------------------------------------
# Initiative scores (mean of each evaluator's latest total, rounded to 2 decimals):
#   A (85 + 81 + 90) / 3 = 85.33   B (70 + 75 + 78) / 3 = 74.33   C (60 + 65 + 71) / 3 = 65.33
#   D (88 + 86 + 87) / 3 = 87      E 78 (the head only)            F withdrawn: left out
# Campaign mean: (85.33 + 74.33 + 65.33 + 87 + 78) / 5 = 389.99 / 5 = 77.998 -> 78.0

EXPECTED_DASHBOARD: Final = {
    "campaign_year": 2023,
    "initiatives_received": 8,
    "initiatives_active": 7,
    "withdrawn": 1,
    "agencies_participating": 5,  # STP, CTHUE, 760, 26740, 769 (26734 withdrew its only one)
    "by_status": {
        "submitted": 1,  # G (its round was cancelled)
        "scheduled": 1,  # H
        "visited": 1,  # E: m3 did not evaluate it
        "evaluated": 1,  # B: head, m1 and m2 (the secretary does not evaluate)
        "decided": 1,  # C: not recommended
        "recommended": 2,  # A, D
        "withdrawn": 1,  # F
    },
    "by_level": {
        "city_department": 2,
        "vertical_agency": 1,
        "district": 3,
        "commune": 1,
        "unknown": 0,
    },
    "by_kind": {"model": 3, "solution": 2, "initiative": 2},
    "rounds_confirmed": 2,
    "rounds_cancelled": 1,
    "visits_planned": 7,
    "first_visit_on": "2023-06-12",
    "last_visit_on": "2023-07-19",
    "surveyed": 5,
    "evaluations": 13,
    "mean_score": 78.0,
    # A 3 replicate; B 3 improve; C 2 not recommended + 1 improve; D 3 replicate; E 1 replicate
    "evaluation_tally": {"replicate": 7, "improve": 4, "not_recommended": 2},
    "decisions": {"replicate": 2, "improve": 0, "not_recommended": 1},
    "recommended": 2,
    "recommended_by_scope": {
        "city_wide": 1,
        "district_level": 1,
        "commune_level": 0,
        "sector": 0,
    },
    "inbound_rejected": 1,
    "awaiting_submission": 0,
}

EXPECTED_AREAS: Final = {
    # area: (submitted, surveyed, recommended, mean)
    "institutional": (1, 0, 0, None),  # H
    "procedures": (3, 3, 2, 83.44),  # A D E: (85.33 + 87 + 78) / 3 = 83.443…
    "organisation": (1, 0, 0, None),  # G
    "civil_service": (0, 0, 0, None),  # F withdrawn
    "public_finance": (0, 0, 0, None),
    "digital_government": (2, 2, 0, 69.83),  # B C: (74.33 + 65.33) / 2
}

# (rank, initiative, score)
EXPECTED_RANKING: Final = [
    (1, "D", 87.0),
    (2, "A", 85.33),
    (3, "E", 78.0),
    (4, "B", 74.33),
    (5, "C", 65.33),
]

# unit: (submitted, surveyed, recommended, mean), as announced by the evaluation service (the
# newest version); every other unit has zeros and no mean
EXPECTED_PAR: Final = {
    "STP": (2, 2, 1, 79.83),  # A B: (85.33 + 74.33) / 2
    "CTHUE": (1, 1, 0, 65.33),  # C
    "760": (2, 2, 1, 82.5),  # D itself and E of its ward Bến Nghé: (87 + 78) / 2
    "769": (2, 0, 0, None),  # G, H
}
# points, as announced: min(3, 0.5 × submitted + 0.5 × surveyed + 1 × recommended)
EXPECTED_POINTS: Final = {"STP": 3.0, "CTHUE": 1.0, "760": 3.0, "769": 1.0}
