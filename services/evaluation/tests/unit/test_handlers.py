"""Handlers driven with an in-memory unit of work: out-of-order and repeated events, recording,
amending and deciding, and the events they publish."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from cchc_evaluation.domain.commands import (
    Actor,
    AmendEvaluation,
    Decide,
    EvaluationSheet,
    RecordEvaluation,
    RecordSectorOpinion,
    SetRubric,
)
from cchc_evaluation.domain.evaluations import Narrative
from cchc_evaluation.domain.rubric import default_rubric
from cchc_evaluation.domain.selection import DecisionRequest
from cchc_evaluation.service_layer import handlers, queries
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import (
    EvaluationRecordedV1,
    EventData,
    InitiativeAmendedV1,
    InitiativeWithdrawnV1,
    ParIndexContributionUpdatedV1,
    ReplicationRecommendedV1,
    RoundCancelledV1,
    RoundRescheduledV1,
)
from cchc_shared.contracts.events import SelectionDecidedV1
from cchc_shared.errors import Conflict, InvalidInput, NotFound

from ..builders import as_cloud_event, days_from_today, member, scheduled, submitted, visit
from ..fakes import FakeUnitOfWork, over

CONSUMER = "evaluation.test"
NOW = datetime.now(UTC)
CONFIG = Services(uow=FakeUnitOfWork, clock=lambda: NOW)
SECRETARIAT = Actor("secretariat:snv", "secretariat")


def published_besides_par(uow: FakeUnitOfWork) -> list[EventData]:
    """What the handlers published, without the PAR-Index contributions (tested apart)."""
    return [e for e in uow.published if not isinstance(e, ParIndexContributionUpdatedV1)]


def surveyor(member_id: str) -> Actor:
    return Actor(f"surveyor:{member_id}", "surveyor", member_id, name=f"Khảo sát viên {member_id}")


def sheet(*points: float, recommendation: str = "replicate") -> EvaluationSheet:
    codes = ("novelty", "applicability", "effectiveness", "satisfaction", "replicability")
    return EvaluationSheet(
        tuple(zip(codes, points, strict=True)),
        Narrative("Ưu điểm rõ", "Còn hạn chế", "Khó khăn về dữ liệu"),
        recommendation,  # type: ignore[arg-type]
    )


async def test_withdrawal_before_submission_and_amendment_before_submission() -> None:
    uow = FakeUnitOfWork()
    first = submitted("26740", "Một cửa không hẹn lần hai")
    amended = InitiativeAmendedV1(
        **{
            **first.model_dump(),
            "title": "Một cửa không hẹn lần hai (bản sửa)",
            "amended_at": first.submitted_at + timedelta(days=2),
        }
    )
    await handlers.on_initiative_content(
        over(uow, CONFIG), CONSUMER, as_cloud_event(amended), amended
    )
    await handlers.on_initiative_content(over(uow, CONFIG), CONSUMER, as_cloud_event(first), first)
    info = uow.initiatives.rows[first.initiative_id]
    assert info.title == "Một cửa không hẹn lần hai (bản sửa)"

    other = submitted("760", "Chatbot hỗ trợ thủ tục")
    withdrawn = InitiativeWithdrawnV1(
        initiative_id=other.initiative_id,
        campaign_year=2023,
        agency_code="760",
        reason="Rút",
        withdrawn_at=NOW,
    )
    await handlers.on_initiative_withdrawn(
        over(uow, CONFIG), CONSUMER, as_cloud_event(withdrawn), withdrawn
    )
    await handlers.on_initiative_content(over(uow, CONFIG), CONSUMER, as_cloud_event(other), other)
    late = uow.initiatives.rows[other.initiative_id]
    assert late.is_withdrawn and late.title == "Chatbot hỗ trợ thủ tục"


async def test_repeated_round_event_changes_nothing_and_stale_state_is_ignored() -> None:
    uow = FakeUnitOfWork()
    initiative = uuid.uuid4()
    original = scheduled(
        [member("a", "Nguyễn Văn An", "head")], [visit(initiative, "26740", days_from_today(-1))]
    )
    event = as_cloud_event(original, at=NOW - timedelta(hours=2))
    await handlers.on_round_state(over(uow, CONFIG), CONSUMER, event, original)
    commits = uow.commits
    await handlers.on_round_state(over(uow, CONFIG), CONSUMER, event, original)
    assert uow.commits == commits  # the inbox dropped the repeat before any change

    changed = RoundRescheduledV1(
        **{**original.model_dump(), "team": [member("b", "Trần Thị Bình", "head").model_dump()]},
        reason="Đổi trưởng đoàn",
    )
    await handlers.on_round_state(
        over(uow, CONFIG), CONSUMER, as_cloud_event(changed, at=NOW), changed
    )
    replayed = as_cloud_event(original, at=NOW - timedelta(hours=2))  # same state, new id
    await handlers.on_round_state(over(uow, CONFIG), CONSUMER, replayed, original)
    assert [m.member_id for m in uow.rounds.rows[original.round_id].team] == ["b"]


async def test_cancellation_before_the_round_is_known_stays_cancelled() -> None:
    uow = FakeUnitOfWork()
    planned = scheduled([member("a", "An", "head")], [])
    cancelled = RoundCancelledV1(
        round_id=planned.round_id,
        campaign_year=2023,
        sequence=1,
        reason="Hủy",
        cancelled_at=NOW,
    )
    await handlers.on_round_cancelled(
        over(uow, CONFIG), CONSUMER, as_cloud_event(cancelled), cancelled
    )
    await handlers.on_round_state(over(uow, CONFIG), CONSUMER, as_cloud_event(planned), planned)
    stored = uow.rounds.rows[planned.round_id]
    assert stored.is_cancelled and stored.team[0].member_id == "a"


async def test_a_round_repeating_a_member_is_refused_as_invalid() -> None:
    uow = FakeUnitOfWork()
    bad = scheduled([member("a", "An", "head"), member("a", "An", "member")], [])
    with pytest.raises(InvalidInput) as caught:
        await handlers.on_round_state(over(uow, CONFIG), CONSUMER, as_cloud_event(bad), bad)
    assert caught.value.faults[0].field == "team[1].member_id"
    assert uow.rounds.rows == {}


async def _campaign(uow: FakeUnitOfWork) -> tuple[uuid.UUID, uuid.UUID]:
    initiative = submitted("26740", "Một cửa không hẹn lần hai")
    await handlers.on_initiative_content(
        over(uow, CONFIG), CONSUMER, as_cloud_event(initiative), initiative
    )
    v = visit(initiative.initiative_id, "26740", days_from_today(0))
    round_ = scheduled([member("a", "An", "head"), member("b", "Bình"), member("c", "Cường")], [v])
    await handlers.on_round_state(over(uow, CONFIG), CONSUMER, as_cloud_event(round_), round_)
    return initiative.initiative_id, v.visit_id


async def test_recording_freezes_the_rubric_publishes_and_amending_is_audited() -> None:
    uow = FakeUnitOfWork()
    initiative_id, visit_id = await _campaign(uow)
    evaluation = await handlers.record_evaluation(
        over(uow, CONFIG), surveyor("a"), RecordEvaluation(visit_id, sheet(12, 12, 20, 20, 16))
    )
    assert evaluation.total == 80 and 2023 in uow.rubrics.rows
    [event] = published_besides_par(uow)
    assert isinstance(event, EvaluationRecordedV1) and event.total == 80
    with pytest.raises(Conflict):  # one evaluation per member per initiative
        await handlers.record_evaluation(
            over(uow, CONFIG), surveyor("a"), RecordEvaluation(visit_id, sheet(1, 1, 1, 1, 1))
        )
    with pytest.raises(Conflict):  # the rubric is in use
        await handlers.set_rubric(over(uow, CONFIG), SECRETARIAT, SetRubric(default_rubric(2023)))
    with pytest.raises(NotFound):  # another member's evaluation
        await handlers.amend_evaluation(
            over(uow, CONFIG), surveyor("b"), AmendEvaluation(evaluation.id, sheet(1, 1, 1, 1, 1))
        )
    amended = await handlers.amend_evaluation(
        over(uow, CONFIG),
        surveyor("a"),
        AmendEvaluation(evaluation.id, sheet(12, 12, 20, 20, 18), "Bổ sung số liệu"),
    )
    assert (amended.version, amended.total, len(published_besides_par(uow))) == (2, 82, 2)
    history = await uow.audit.history("evaluation", str(evaluation.id))
    assert [h["action"] for h in history] == ["recorded", "amended"]
    assert [(h["actor"], h["actor_name"]) for h in history] == [
        ("surveyor:a", "Khảo sát viên a")
    ] * 2
    assert history[1]["reason"] == "Bổ sung số liệu"
    assert initiative_id == amended.initiative_id


async def test_decision_publishes_a_recommendation_and_closes_evaluations() -> None:
    uow = FakeUnitOfWork()
    initiative_id, visit_id = await _campaign(uow)
    ids = {}
    for m, last in (("a", 14), ("b", 16), ("c", 18)):
        ids[m] = (
            await handlers.record_evaluation(
                over(uow, CONFIG),
                surveyor(m),
                RecordEvaluation(visit_id, sheet(12, 12, 20, 20, last)),
            )
        ).id
    await handlers.record_sector_opinion(
        over(uow, CONFIG),
        SECRETARIAT,
        RecordSectorOpinion(initiative_id, "STTTT", "supports", "Đề nghị nhân rộng"),
    )
    decision = await handlers.decide_initiative(
        over(uow, CONFIG),
        SECRETARIAT,
        Decide(initiative_id, DecisionRequest("replicate", "commune_level", "Hiệu quả", None)),
    )
    assert decision.final_score == 80.0
    decided, recommended = published_besides_par(uow)[-2:]
    assert isinstance(decided, SelectionDecidedV1) and decided.decision == "replicate"
    assert isinstance(recommended, ReplicationRecommendedV1)
    assert (recommended.evaluation_count, recommended.scope) == (3, "commune_level")
    with pytest.raises(Conflict):
        await handlers.amend_evaluation(
            over(uow, CONFIG), surveyor("a"), AmendEvaluation(ids["a"], sheet(1, 1, 1, 1, 1))
        )
    [row] = await queries.ranking(over(uow, CONFIG), 2023)
    assert row.decision is not None and row.stats.quorum_reached


async def test_the_same_idempotency_key_and_sheet_return_the_same_evaluation_once() -> None:
    uow = FakeUnitOfWork()
    _, visit_id = await _campaign(uow)
    queued = RecordEvaluation(visit_id, sheet(12, 12, 20, 20, 16), idempotency_key="device-1")
    first = await handlers.record_evaluation(over(uow, CONFIG), surveyor("a"), queued)
    again = await handlers.record_evaluation(over(uow, CONFIG), surveyor("a"), queued)
    assert again.id == first.id and len(uow.evaluations.rows) == 1
    assert len(published_besides_par(uow)) == 1
    assert len(await uow.audit.history("evaluation", str(first.id))) == 1
    other_sheet = RecordEvaluation(visit_id, sheet(1, 1, 1, 1, 1), idempotency_key="device-1")
    with pytest.raises(Conflict) as refused:
        await handlers.record_evaluation(over(uow, CONFIG), surveyor("a"), other_sheet)
    [fault] = refused.value.faults
    assert fault.field == "Idempotency-Key" and "khóa mới" in fault.message_vi
    # A key is the member's own: another member's same key records their own evaluation.
    theirs = await handlers.record_evaluation(over(uow, CONFIG), surveyor("b"), queued)
    assert theirs.id != first.id and len(uow.evaluations.rows) == 2
