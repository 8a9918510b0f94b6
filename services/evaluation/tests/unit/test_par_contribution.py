"""The PAR-Index contribution is computed here only and published, with a version that grows
by one per unit and campaign: a change marks its unit in its own transaction, and the
recomputer (called here where the service's background task would run it) computes the
marked units, publishes what changed and deletes the marks in one transaction."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime

from cchc_evaluation.domain.commands import (
    Actor,
    AmendEvaluation,
    Decide,
    EvaluationSheet,
    RecordEvaluation,
    RecordSectorOpinion,
)
from cchc_evaluation.domain.evaluations import Narrative
from cchc_evaluation.domain.selection import DecisionRequest, SelectionPolicy
from cchc_evaluation.service_layer import handlers
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import InitiativeWithdrawnV1, ParIndexContributionUpdatedV1

from ..builders import as_cloud_event, days_from_today, member, scheduled, submitted, visit
from ..fakes import FakeUnitOfWork, over, recompute

CONSUMER = "evaluation.test"
NOW = datetime.now(UTC)
MEAN = Services(uow=FakeUnitOfWork, clock=lambda: NOW)
MEDIAN = replace(MEAN, policy=SelectionPolicy(final_score_method="median"))
SECRETARIAT = Actor("secretariat:snv", "secretariat")
TEAM = [member("a", "An", "head"), member("b", "Bình"), member("c", "Cường")]


SHEETS = {70: (12, 12, 20, 20, 6), 80: (12, 12, 20, 20, 16), 96: (15, 15, 25, 25, 16)}


def sheet(total: int) -> EvaluationSheet:
    codes = ("novelty", "applicability", "effectiveness", "satisfaction", "replicability")
    return EvaluationSheet(
        tuple(zip(codes, SHEETS[total], strict=True)),
        Narrative("Ưu điểm rõ", "Còn hạn chế", "Khó khăn về dữ liệu"),
        "replicate",
    )


def contributions(uow: FakeUnitOfWork, code: str = "760") -> list[ParIndexContributionUpdatedV1]:
    return [
        e
        for e in uow.published
        if isinstance(e, ParIndexContributionUpdatedV1) and e.agency_code == code
    ]


async def _campaign(uow: FakeUnitOfWork, config: Services) -> None:
    """Quận 1 (760) and its ward Bến Nghé (26740) each submit one; the ward's is evaluated
    70, 80 and 96 by three members and recommended."""
    own = submitted("760", "Quận 1 trả kết quả tận nhà")
    ward = submitted("26740", "Một cửa không hẹn lần hai")
    for data in (own, ward, ward):  # the ward's submission is delivered twice
        await handlers.on_initiative_content(
            over(uow, config),
            CONSUMER,
            as_cloud_event(data, event_id=str(data.initiative_id)),
            data,
        )
        await recompute(uow, config)
    v = visit(ward.initiative_id, "26740", days_from_today(0))
    round_ = scheduled(TEAM, [v])
    await handlers.on_round_state(over(uow, config), CONSUMER, as_cloud_event(round_), round_)
    await recompute(uow, config)
    for m, total in (("a", 70), ("b", 80), ("c", 96)):
        await handlers.record_evaluation(
            over(uow, config),
            Actor(f"surveyor:{m}", "surveyor", m),
            RecordEvaluation(v.visit_id, sheet(total)),
        )
        await recompute(uow, config)
    await handlers.record_sector_opinion(
        over(uow, config),
        SECRETARIAT,
        RecordSectorOpinion(ward.initiative_id, "STTTT", "supports", "Đề nghị nhân rộng"),
    )
    await recompute(uow, config)
    await handlers.decide_initiative(
        over(uow, config),
        SECRETARIAT,
        Decide(ward.initiative_id, DecisionRequest("replicate", "commune_level", "Hiệu quả", None)),
    )
    await recompute(uow, config)


async def test_each_change_publishes_the_units_new_state_with_the_next_version() -> None:
    uow = FakeUnitOfWork()
    await _campaign(uow, MEAN)
    states = contributions(uow)
    assert [c.version for c in states] == list(range(1, len(states) + 1))
    assert [(c.submitted, c.surveyed, c.recommended, c.mean_score, c.points) for c in states] == [
        (1, 0, 0, None, 0.5),  # Quận 1's own
        (2, 0, 0, None, 1.0),  # the ward's counts in its district; its redelivery does not
        (2, 1, 0, 70.0, 1.5),  # first evaluation
        (2, 1, 0, 75.0, 1.5),  # the ward's final score is the district's mean (one surveyed)
        (2, 1, 0, 82.0, 1.5),  # mean of 70, 80, 96
        (2, 1, 1, 82.0, 2.5),  # recommended
    ]
    last = states[-1]
    assert (last.campaign_year, last.subject()) == (2023, "2023/760")
    assert last.rule.final_score_method == "mean" and last.rule.cap == 3.0
    assert contributions(uow, "26740") == []  # a ward is never a unit of its own
    stored = uow.par_contributions.rows[(2023, "760")]
    assert (stored.version, stored.row.points) == (last.version, last.points)


async def test_the_median_policy_is_what_is_published() -> None:
    uow = FakeUnitOfWork()
    await _campaign(uow, MEDIAN)
    last = contributions(uow)[-1]
    assert (last.mean_score, last.rule.final_score_method) == (80.0, "median")
    assert [c.mean_score for c in contributions(uow)][2:5] == [70.0, 75.0, 80.0]


async def test_amending_and_withdrawing_publish_and_the_same_state_is_not_republished() -> None:
    uow = FakeUnitOfWork()
    await _campaign(uow, MEAN)
    before = len(contributions(uow))
    ward_id = next(i for i, info in uow.initiatives.rows.items() if info.agency_code == "26740")
    withdrawn = InitiativeWithdrawnV1(
        initiative_id=ward_id, campaign_year=2023, agency_code="26740", withdrawn_at=NOW
    )
    await handlers.on_initiative_withdrawn(
        over(uow, MEAN), CONSUMER, as_cloud_event(withdrawn), withdrawn
    )
    await recompute(uow, MEAN)
    after = contributions(uow)[-1]
    assert after.version == before + 1
    assert (after.submitted, after.surveyed, after.recommended, after.mean_score) == (1, 0, 0, None)
    # A change that does not move the figures (a round's new state) announces nothing.
    round_ = scheduled(TEAM, [])
    await handlers.on_round_state(over(uow, MEAN), CONSUMER, as_cloud_event(round_), round_)
    await recompute(uow, MEAN)
    assert len(contributions(uow)) == before + 1


async def test_an_amended_evaluation_publishes_the_new_mean() -> None:
    uow = FakeUnitOfWork()
    own = submitted("26740", "Một cửa không hẹn lần hai")
    await handlers.on_initiative_content(over(uow, MEAN), CONSUMER, as_cloud_event(own), own)
    await recompute(uow, MEAN)
    v = visit(own.initiative_id, "26740", days_from_today(0))
    round_ = scheduled(TEAM, [v])
    await handlers.on_round_state(over(uow, MEAN), CONSUMER, as_cloud_event(round_), round_)
    a = Actor("surveyor:a", "surveyor", "a")
    recorded = await handlers.record_evaluation(
        over(uow, MEAN), a, RecordEvaluation(v.visit_id, sheet(70))
    )
    await recompute(uow, MEAN)
    await handlers.amend_evaluation(
        over(uow, MEAN), a, AmendEvaluation(recorded.id, sheet(80), "Sửa")
    )
    await recompute(uow, MEAN)
    assert [c.mean_score for c in contributions(uow)] == [None, 70.0, 80.0]


async def test_a_burst_of_changes_is_announced_once_and_a_mark_lives_until_its_recompute() -> None:
    uow = FakeUnitOfWork()
    # Three submissions in Quận 1 and its ward before the recomputer runs: nothing yet.
    for code, title in (("760", "Trả kết quả tận nhà"), ("26740", "Một cửa"), ("760", "Hẹn giờ")):
        data = submitted(code, title)
        await handlers.on_initiative_content(over(uow, MEAN), CONSUMER, as_cloud_event(data), data)
    assert contributions(uow) == [] and len(uow.par_stale.rows) == 3
    # A recompute that fails keeps the marks (its transaction is rolled back).
    failing = replace(MEAN, clock=lambda: (_ for _ in ()).throw(RuntimeError("down")))
    with contextlib.suppress(RuntimeError):
        await recompute(uow, failing)
    assert contributions(uow) == [] and len(uow.par_stale.rows) == 3
    await recompute(uow, MEAN)
    [state] = contributions(uow)
    assert (state.version, state.submitted, state.points) == (1, 3, 1.5)
    assert uow.par_stale.rows == []
    await recompute(uow, MEAN)  # nothing marked: nothing announced
    assert len(contributions(uow)) == 1
