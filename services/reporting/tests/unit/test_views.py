"""The read models of the fixture campaign equal the figures computed by hand, whatever the
order the events arrive in."""

from __future__ import annotations

import random
from datetime import date

import pytest

from cchc_reporting.domain.facts import (
    CampaignFacts,
    CampaignSettingsFact,
    CancellationFact,
    DecisionFact,
    EvaluationFact,
    FactSet,
    InitiativeFact,
    ParContributionFact,
    RecommendationFact,
    RejectionFact,
    RoundFact,
    WithdrawalFact,
    facts_from_event,
)
from cchc_reporting.domain.filters import InitiativeFilter
from cchc_reporting.domain.read_models import CampaignView, Status
from cchc_reporting.domain.views import build_campaign_view
from cchc_shared.contracts import EncodedMessage, decode_message, parse_data
from cchc_shared.contracts.events import event_for_type

from ..campaign import (
    AMENDED_TITLE_A,
    DISTINCT_EVENTS,
    EXPECTED_AREAS,
    EXPECTED_DASHBOARD,
    EXPECTED_PAR,
    EXPECTED_POINTS,
    EXPECTED_RANKING,
    YEAR,
    at,
    campaign_messages,
    contribution,
    message,
    uid,
)


def project(messages: list[EncodedMessage]) -> FactSet:
    facts = FactSet()
    for m in messages:
        event = decode_message(m.body)
        model = event_for_type(event.type)
        assert model is not None
        facts.apply_all(facts_from_event(event.id, event.time, parse_data(event, model)))
    return facts


def campaign_facts(facts: FactSet, year: int = YEAR) -> CampaignFacts:
    def of(kind: type) -> list:  # type: ignore[type-arg]
        return list(facts.of_kind(kind))

    return CampaignFacts(
        year=year,
        initiatives=[f for f in of(InitiativeFact) if f.campaign_year == year],
        withdrawals=[f for f in of(WithdrawalFact) if f.campaign_year == year],
        rounds=[f for f in of(RoundFact) if f.campaign_year == year],
        cancellations=[f for f in of(CancellationFact) if f.campaign_year == year],
        evaluations=of(EvaluationFact),
        recommendations=[f for f in of(RecommendationFact) if f.campaign_year == year],
        rejections=of(RejectionFact),
        decisions=[f for f in of(DecisionFact) if f.campaign_year == year],
        par_contributions=[f for f in of(ParContributionFact) if f.campaign_year == year],
        settings=next((f for f in of(CampaignSettingsFact) if f.campaign_year == year), None),
    )


def view_of(messages: list[EncodedMessage]) -> CampaignView:
    return build_campaign_view(campaign_facts(project(messages)))


def test_the_fixture_has_the_duplicates_it_claims() -> None:
    messages = campaign_messages()
    assert len({m.event_id for m in messages}) == DISTINCT_EVENTS
    assert len(messages) == DISTINCT_EVENTS + 5


def test_dashboard_equals_the_hand_computed_figures() -> None:
    dashboard = view_of(campaign_messages()).dashboard
    for name, expected in EXPECTED_DASHBOARD.items():
        actual = getattr(dashboard, name)
        if isinstance(actual, date):
            actual = actual.isoformat()
        assert actual == expected, name
    areas = {
        a.par_area: (a.submitted, a.surveyed, a.recommended, a.mean_score)
        for a in dashboard.by_par_area
    }
    assert areas == EXPECTED_AREAS


def test_ranking_equals_the_hand_computed_one() -> None:
    view = view_of(campaign_messages())
    assert [(r.rank, r.life.initiative_id, r.life.mean_score) for r in view.ranking] == [
        (rank, uid(key), score) for rank, key, score in EXPECTED_RANKING
    ]


def test_par_index_table_equals_the_hand_computed_one() -> None:
    rows = {
        r.unit_code: (r.submitted, r.surveyed, r.recommended, r.mean_score)
        for r in view_of(campaign_messages()).par_index
    }
    for code, expected in EXPECTED_PAR.items():
        assert rows.pop(code) == expected, code
    # Every other department, vertical agency and district is listed with nothing.
    assert len(rows) == 24 + 8 + 22 - len(EXPECTED_PAR)
    assert set(rows.values()) == {(0, 0, 0, None)}
    # Wards are never units of their own: they count for their district.
    assert "26740" not in rows and "26734" not in rows


def test_par_index_shows_what_evaluation_announced_and_keeps_no_rule_of_its_own() -> None:
    messages = campaign_messages()
    points = {r.unit_code: r.points for r in view_of(messages).par_index}
    assert {code: points.pop(code) for code in EXPECTED_POINTS} == EXPECTED_POINTS
    assert set(points.values()) == {0.0}
    # Another rule and method at evaluation (a median, a higher cap): shown as received.
    other = contribution("STP", 9, (2, 2, 1), 80.5, 6.0)
    other = other.model_copy(
        update={"rule": other.rule.model_copy(update={"cap": 10.0, "final_score_method": "median"})}
    )
    view = view_of([*messages, message("par-STP-9", other, at(11, 1))])
    stp = next(r for r in view.par_index if r.unit_code == "STP")
    assert (stp.mean_score, stp.points) == (80.5, 6.0)
    assert view.par_rule is not None and view.par_rule.final_score_method == "median"
    assert view_of(messages).par_rule is not None
    assert view_of([]).par_rule is None


def test_initiative_lives_follow_the_latest_facts() -> None:
    view = view_of(campaign_messages())
    a = view.lives[uid("A")]
    assert a.title == AMENDED_TITLE_A  # the amendment won although it arrived first
    assert a.amended_at is not None
    assert sorted(e.total for e in a.evaluations) == [81, 85, 90]  # m1's amended evaluation
    assert a.status is Status.RECOMMENDED
    e = view.lives[uid("E")]
    assert (e.round_sequence, e.visit_date) == (2, date(2023, 7, 17))  # the rescheduled visit
    assert view.lives[uid("F")].status is Status.WITHDRAWN
    assert view.lives[uid("G")].round_id is None  # its round was cancelled
    rounds = {r.sequence: r for r in view.rounds}
    assert [rounds[s].status for s in (1, 2, 3)] == ["scheduled", "rescheduled", "cancelled"]
    assert rounds[2].summary_scores.count == 2  # E (1) and F (1): F's visit took place
    assert rounds[3].reason == "Đơn vị đề nghị lùi sang năm sau"


def test_scorecards_and_filters() -> None:
    view = view_of(campaign_messages())
    cards = {c.agency.code: c for c in view.scorecards}
    stp = cards["STP"]
    assert (stp.submitted, stp.surveyed, stp.evaluations, stp.recommended) == (2, 2, 6, 1)
    assert (stp.mean_score, stp.best_score) == (79.83, 85.33)
    assert (cards["26734"].submitted, cards["26734"].withdrawn) == (0, 1)
    district_1 = InitiativeFilter(district_code="760")
    assert {x.agency.code for x in view.initiatives if district_1.matches(x)} == {
        "760",
        "26740",
        "26734",
    }
    search = InitiativeFilter(q="BEN NGHE")  # no diacritics, any case
    assert [x.initiative_id for x in view.initiatives if search.matches(x)] == [uid("E")]


@pytest.mark.parametrize("seed", range(25))
def test_any_arrival_order_gives_the_same_read_models(seed: int) -> None:
    messages = campaign_messages()
    expected = view_of(messages)
    shuffled = list(messages)
    random.Random(seed).shuffle(shuffled)
    assert view_of(shuffled) == expected
    assert project(shuffled).by_kind == project(messages).by_kind


def test_a_rejection_counts_in_the_campaign_it_named_else_in_its_arrival_year() -> None:
    from datetime import UTC, datetime

    from cchc_shared.contracts import encode_event
    from cchc_shared.contracts.events import InitiativeRejectedV1

    def rejected(origin_id: str, campaign_year: int | None) -> EncodedMessage:
        data = InitiativeRejectedV1(
            origin_source="/platforms/test",
            origin_id=origin_id,
            errors=[{"field": "$.data.title", "message": "Trường bắt buộc bị thiếu"}],
            campaign_year=campaign_year,
        )
        # Refused in a later year than the campaign the message named.
        return encode_event(
            data, source="/cchc/intake", occurred_at=datetime(YEAR + 3, 2, 1, tzinfo=UTC)
        )

    facts = project([rejected("named", YEAR), rejected("unnamed", None)])
    named_year = build_campaign_view(campaign_facts(facts, YEAR)).dashboard
    arrival_year = build_campaign_view(campaign_facts(facts, YEAR + 3)).dashboard
    assert named_year.inbound_rejected == 1
    assert arrival_year.inbound_rejected == 1
    # and listed there, with its reasons
    [listed] = build_campaign_view(campaign_facts(facts, YEAR)).rejections
    assert listed.origin_id == "named"
    assert listed.errors == (("$.data.title", "Trường bắt buộc bị thiếu"),)
    assert [
        r.origin_id for r in build_campaign_view(campaign_facts(facts, YEAR + 3)).rejections
    ] == ["unnamed"]
