"""The secretary (thư ký) does not score unless the campaign says so
(campaign.settings_changed.v1 ``secretary_scores``): a secretary's evaluation is refused with
the reason in Vietnamese, and the secretary is not expected among the evaluators."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from cchc_evaluation.domain.commands import Actor, RecordEvaluation
from cchc_evaluation.domain.selection import eligible_evaluators
from cchc_evaluation.service_layer import handlers
from cchc_evaluation.service_layer.services import Services, scoring_roles_by_year
from cchc_shared.errors import Forbidden
from cchc_shared.persistence.campaign_settings import CampaignSettings
from cchc_testkit.fakes import campaign_settings_changed

from ..builders import as_cloud_event, days_from_today, member, scheduled, submitted, visit
from ..fakes import FakeUnitOfWork, over
from .test_handlers import sheet

CONSUMER = "evaluation.campaign.settings_changed.v1"
NOW = datetime.now(UTC)
CONFIG = Services(uow=FakeUnitOfWork, clock=lambda: NOW)


def surveyor(member_id: str) -> Actor:
    return Actor(f"surveyor:{member_id}", "surveyor", member_id)


async def _round_with_secretary(uow: FakeUnitOfWork) -> tuple[uuid.UUID, uuid.UUID]:
    initiative = submitted("26740", "Một cửa không hẹn lần hai")
    await handlers.on_initiative_content(
        over(uow, CONFIG), CONSUMER, as_cloud_event(initiative), initiative
    )
    v = visit(initiative.initiative_id, "26740", days_from_today(0))
    team = [member("a", "An", "head"), member("b", "Bình"), member("s", "Sương", "secretary")]
    round_ = scheduled(team, [v])
    await handlers.on_round_state(over(uow, CONFIG), CONSUMER, as_cloud_event(round_), round_)
    return initiative.initiative_id, v.visit_id


async def _settings(uow: FakeUnitOfWork, version: int, secretary_scores: bool) -> None:
    data = campaign_settings_changed(version, secretary_scores=secretary_scores)
    await handlers.on_campaign_settings(over(uow, CONFIG), CONSUMER, as_cloud_event(data), data)


async def test_a_secretarys_evaluation_is_refused_by_default() -> None:
    uow = FakeUnitOfWork()
    _, visit_id = await _round_with_secretary(uow)
    with pytest.raises(Forbidden) as refused:
        await handlers.record_evaluation(
            over(uow, CONFIG), surveyor("s"), RecordEvaluation(visit_id, sheet(12, 12, 20, 20, 16))
        )
    [fault] = refused.value.faults
    assert fault.field == "visit_id"
    assert fault.message_vi.startswith("Thư ký đoàn khảo sát không chấm điểm")
    assert unicodedata.is_normalized("NFC", fault.message_vi)
    assert uow.evaluations.rows == {}
    # The head and the members score as before.
    assert await handlers.record_evaluation(
        over(uow, CONFIG), surveyor("b"), RecordEvaluation(visit_id, sheet(12, 12, 20, 20, 16))
    )


async def test_the_secretary_scores_where_the_campaign_says_so() -> None:
    uow = FakeUnitOfWork()
    _, visit_id = await _round_with_secretary(uow)
    await _settings(uow, 2, secretary_scores=True)
    await _settings(uow, 1, secretary_scores=False)  # an older state, late: ignored
    assert uow.campaign_settings.rows[2023] == CampaignSettings(2023, 2, secretary_scores=True)
    recorded = await handlers.record_evaluation(
        over(uow, CONFIG), surveyor("s"), RecordEvaluation(visit_id, sheet(12, 12, 20, 20, 16))
    )
    assert recorded.evaluator_id == "s"


async def test_the_secretary_is_not_an_expected_evaluator_unless_the_campaign_says_so() -> None:
    uow = FakeUnitOfWork()
    initiative_id, _ = await _round_with_secretary(uow)
    async with uow:
        rounds = await uow.rounds.visiting([initiative_id])
        by_default = await scoring_roles_by_year(uow, [2023])
    assert eligible_evaluators(initiative_id, rounds, [], by_default) == 2
    await _settings(uow, 2, secretary_scores=True)
    async with uow:
        allowed = await scoring_roles_by_year(uow, [2023])
    assert eligible_evaluators(initiative_id, rounds, [], allowed) == 3


async def test_an_evaluation_that_lost_the_race_to_freeze_the_rubric_is_recorded() -> None:
    """The first evaluations of a campaign race to freeze its rubric; the loser's
    transaction hits the unique rubric and is recorded again on the rubric now frozen."""
    uow = FakeUnitOfWork()
    _, visit_id = await _round_with_secretary(uow)
    save = uow.rubrics.save
    raced: list[bool] = []

    async def frozen_meanwhile(*args: Any) -> None:
        if not raced:
            raced.append(True)
            raise IntegrityError("INSERT INTO rubrics", {}, Exception("duplicate key"))
        await save(*args)

    uow.rubrics.save = frozen_meanwhile  # type: ignore[method-assign]
    recorded = await handlers.record_evaluation(
        over(uow, CONFIG), surveyor("b"), RecordEvaluation(visit_id, sheet(12, 12, 20, 20, 16))
    )
    assert raced and list(uow.evaluations.rows) == [recorded.id]
