"""The pure domain: rubric, knowledge ordering, evaluation rules, aggregation, decision, index."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cchc_evaluation.domain.evaluations import Evaluation, Narrative, check_may_evaluate
from cchc_evaluation.domain.knowledge import (
    RESCHEDULED_RANK,
    SCHEDULED_RANK,
    InitiativeInfo,
    InitiativeStatus,
    Round,
    RoundStatus,
    TeamMember,
    Visit,
)
from cchc_evaluation.domain.par_index import (
    IndexUnit,
    InitiativeOutcome,
    ParIndexRule,
    next_contribution,
    par_index,
    par_unit_of,
)
from cchc_evaluation.domain.rubric import (
    Band,
    Criterion,
    Rubric,
    default_rubric,
    rubric_from_dict,
    rubric_to_dict,
)
from cchc_evaluation.domain.selection import (
    DecisionRequest,
    SectorOpinion,
    SelectionPolicy,
    aggregate,
    decide,
    final_score,
)
from cchc_shared.errors import Conflict, Forbidden, InvalidInput
from cchc_shared.reference import district_of

NOW = datetime(2023, 11, 15, 2, 0, tzinfo=UTC)
FULL = [
    ("novelty", 12.0),
    ("applicability", 12.0),
    ("effectiveness", 20.0),
    ("satisfaction", 20.0),
    ("replicability", 16.0),
]


# --- rubric ---------------------------------------------------------------------------


def test_default_rubric_totals_100_with_contiguous_vietnamese_bands_and_sources() -> None:
    rubric = default_rubric(2023)
    assert rubric.problems() == []
    assert rubric.total_max == 100
    assert [c.code for c in rubric.criteria] == [
        "novelty",
        "applicability",
        "effectiveness",
        "satisfaction",
        "replicability",
    ]
    assert all(len(c.bands) == 4 and c.bands[-1].label == "Tốt" for c in rubric.criteria)
    sources = {c.code: c.source for c in rubric.criteria}
    assert all("13/2012/NĐ-CP" in sources[c] for c in ("novelty", "applicability", "effectiveness"))
    assert "hài lòng của người dân, doanh nghiệp" in sources["satisfaction"]


def test_scoring_sums_the_sheet_in_rubric_order() -> None:
    sheet = default_rubric(2023).score(list(reversed(FULL)))
    assert sheet.total == 80.0
    assert sheet.scores[0].criterion == "novelty"
    assert sheet.scores[2].max_score == 25


@pytest.mark.parametrize("bad", [25.5, -0.5, 20.25])
def test_a_score_outside_its_bands_or_off_step_names_the_criterion(bad: float) -> None:
    entries = [(c, bad if c == "satisfaction" else s) for c, s in FULL]
    with pytest.raises(InvalidInput) as caught:
        default_rubric(2023).score(entries)
    [fault] = caught.value.faults
    assert fault.field == "scores[3].score"
    assert "satisfaction" in fault.message_en and "hài lòng" in fault.message_vi


def test_unknown_missing_and_repeated_criteria_are_all_reported() -> None:
    entries = [("novelty", 10.0), ("novelty", 11.0), ("creativity", 3.0)]
    with pytest.raises(InvalidInput) as caught:
        default_rubric(2023).score(entries)
    fields = [f.field for f in caught.value.faults]
    assert fields == ["scores[1].criterion", "scores[2].criterion", "scores"]
    assert "applicability" in caught.value.faults[-1].message_en


def test_a_rubric_with_gaps_or_not_totalling_100_is_refused() -> None:
    good = default_rubric(2024)
    gap = replace(
        good.criteria[0],
        bands=(Band(0, 5, "Chưa đạt", "x"), Band(6, 15, "Tốt", "y")),  # 5.5 is in no band
    )
    broken = replace(good, criteria=(gap, *good.criteria[1:]))
    assert [f.field for f in broken.problems()] == ["criteria[0].bands"]
    short = replace(good, criteria=good.criteria[:-1])
    assert "100" in short.problems()[0].message_en


def test_rubric_round_trips_through_its_stored_form() -> None:
    rubric = Rubric(
        2025,
        "Thử",
        1.0,
        (
            Criterion(
                "only",
                "Duy nhất",
                "",
                "",
                100.0,
                (
                    Band(0, 49, "Chưa đạt", "a"),
                    Band(50, 100, "Đạt", "b"),
                ),
            ),
        ),
    )
    assert rubric.problems() == []
    assert rubric_from_dict(rubric_to_dict(rubric)) == rubric


# --- knowledge from events -------------------------------------------------------------


def test_initiative_content_keeps_the_newest_version_and_a_withdrawal_sticks() -> None:
    info = InitiativeInfo(uuid.uuid4(), 2023, "760", InitiativeStatus.WITHDRAWN)
    info.withdraw(NOW)
    new, old = NOW, NOW - timedelta(days=3)
    assert info.apply_content(
        kind="model", title="Mới", summary="s", par_area="procedures", as_of=new
    )
    assert not info.apply_content(
        kind="model", title="Cũ", summary="s", par_area="procedures", as_of=old
    )
    assert info.title == "Mới" and info.is_withdrawn


def test_a_round_keeps_its_latest_state_and_a_cancellation_is_final() -> None:
    r = Round(uuid.uuid4(), 2023, 1, RoundStatus.CANCELLED)
    r.cancel(NOW, "Trùng lịch")
    team_a = (TeamMember("a", "A", "head", "SNV"),)
    team_b = (TeamMember("b", "B", "head", "SNV"),)
    d = date(2023, 6, 8)
    assert r.apply_state(
        sequence=1, starts_on=d, ends_on=d, team=team_b, visits=(), as_of=NOW, rank=RESCHEDULED_RANK
    )
    assert not r.apply_state(
        sequence=1, starts_on=d, ends_on=d, team=team_a, visits=(), as_of=NOW, rank=SCHEDULED_RANK
    )
    assert r.team == team_b and r.is_cancelled


# --- who may evaluate -------------------------------------------------------------------


def _round_with_visit(on: date) -> tuple[Round, Visit]:
    round_id = uuid.uuid4()
    v = Visit(uuid.uuid4(), round_id, uuid.uuid4(), "26740", on, time(8, 30))
    team = (
        TeamMember("head", "Trưởng đoàn", "head", "SNV"),
        TeamMember("sec", "Thư ký", "secretary", "SNV"),
    )
    return Round(round_id, 2023, 1, RoundStatus.SCHEDULED, on, on, team, (v,)), v


def test_evaluation_rules_membership_role_date_and_state() -> None:
    day = date(2023, 6, 8)
    r, v = _round_with_visit(day)
    ok = {
        "round_": r,
        "visit": v,
        "initiative": None,
        "decided": False,
        "evaluator_roles": ("head", "member"),
    }
    assert check_may_evaluate(member_id="head", today=day, **ok).role == "head"  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        check_may_evaluate(member_id="stranger", today=day, **ok)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):  # the secretary takes minutes under this configuration
        check_may_evaluate(member_id="sec", today=day, **ok)  # type: ignore[arg-type]
    with pytest.raises(Conflict) as early:
        check_may_evaluate(member_id="head", today=day - timedelta(days=1), **ok)  # type: ignore[arg-type]
    assert "08/06/2023" in early.value.faults[0].message_vi
    with pytest.raises(Conflict):
        check_may_evaluate(member_id="head", today=day, **{**ok, "decided": True})  # type: ignore[arg-type]
    r.cancel(NOW, "")
    with pytest.raises(Conflict):
        check_may_evaluate(member_id="head", today=day, **ok)  # type: ignore[arg-type]


# --- aggregation and decision -------------------------------------------------------------


def _evaluations(*totals: float) -> list[Evaluation]:
    return [
        Evaluation(
            uuid.uuid4(),
            uuid.uuid4(),
            uuid.uuid4(),
            uuid.uuid4(),
            f"m{i}",
            2023,
            (),
            t,
            Narrative("a", "b", "c"),
            "replicate",
            NOW,
            NOW,
        )
        for i, t in enumerate(totals)
    ]


def test_aggregate_statistics_disagreement_and_quorum() -> None:
    policy = SelectionPolicy()
    stats = aggregate(_evaluations(60, 70, 81), eligible_evaluators=5, policy=policy)
    assert (stats.count, stats.mean, stats.median, stats.spread) == (3, 70.33, 70.0, 21.0)
    assert stats.disagreement and stats.quorum_required == 3 and stats.quorum_reached
    assert not aggregate(_evaluations(60, 80), 5, policy).disagreement  # range 20 is not over 20
    whole_team_of_two = aggregate(_evaluations(75, 77), 2, policy)
    assert whole_team_of_two.quorum_required == 2 and whole_team_of_two.quorum_reached
    median = aggregate(_evaluations(50, 90, 91), 3, replace(policy, final_score_method="median"))
    assert median.final_score == 90.0
    assert aggregate([], 3, policy).final_score is None


def _decide(
    totals: tuple[float, ...], request: DecisionRequest, *, opinion: bool = True, eligible: int = 3
) -> object:
    info = InitiativeInfo(
        uuid.uuid4(),
        2023,
        "26740",
        InitiativeStatus.SUBMITTED,
        "model",
        "Một cửa",
        "s",
        "procedures",
        NOW,
    )
    stats = aggregate(_evaluations(*totals), eligible, SelectionPolicy())
    sector = SectorOpinion(info.id, "STTTT", "supports", "Đồng ý", "sec", NOW) if opinion else None
    return decide(
        initiative=info,
        initiative_id=info.id,
        stats=stats,
        opinion=sector,
        already=None,
        request=request,
        policy=SelectionPolicy(),
        actor="sec",
        now=NOW,
    )


REPLICATE = DecisionRequest("replicate", "commune_level", "Hiệu quả cao", None)


def test_decisions_need_quorum_threshold_or_written_reason_and_the_sector_opinion() -> None:
    with pytest.raises(Conflict) as no_quorum:
        _decide((80, 85), DecisionRequest("not_recommended", None, "Chưa rõ", None))
    assert "2/3" in no_quorum.value.faults[0].message_vi
    with pytest.raises(InvalidInput) as below:
        _decide((60, 65, 70), REPLICATE)
    assert below.value.faults[0].field == "override_reason"
    overridden = _decide((60, 65, 70), replace(REPLICATE, override_reason="Chủ trương ưu tiên"))
    assert overridden.overridden and overridden.final_score == 65.0  # type: ignore[attr-defined]
    with pytest.raises(Conflict) as no_opinion:
        _decide((80, 85, 90), REPLICATE, opinion=False)
    assert no_opinion.value.faults[0].field == "sector_opinion"
    with pytest.raises(InvalidInput):
        _decide((80, 85, 90), replace(REPLICATE, scope=None))
    plain = _decide((80, 85, 90), REPLICATE)
    assert not plain.overridden and plain.evaluation_count == 3  # type: ignore[attr-defined]


# --- PAR-Index contribution -----------------------------------------------------------------


def test_par_index_counts_wards_in_their_district_and_caps_points() -> None:
    units = [
        IndexUnit("SNV", "Sở Nội vụ", "city_department"),
        IndexUnit("760", "Quận 1", "district"),
        IndexUnit("769", "Thành phố Thủ Đức", "district"),
    ]
    outcomes = [
        InitiativeOutcome("26740", 90.0, True),  # Phường Bến Nghé, Quận 1
        InitiativeOutcome("760", 70.0, False),
        InitiativeOutcome("26737", None, False),  # Phường Đa Kao, Quận 1
        InitiativeOutcome("26794", 72.0, False),  # Phường Linh Xuân, Thủ Đức
        InitiativeOutcome("SNV", None, False),
    ]
    rows = {r.agency_code: r for r in par_index(units, outcomes, ParIndexRule(), district_of)}
    q1 = rows["760"]
    assert (q1.submitted, q1.surveyed, q1.recommended, q1.mean_score) == (3, 2, 1, 80.0)
    assert q1.points == 3.0  # 1.5 + 1 + 1 = 3.5, capped at 3
    assert (rows["769"].submitted, rows["769"].points) == (1, 1.0)
    assert (rows["SNV"].surveyed, rows["SNV"].mean_score, rows["SNV"].points) == (0, None, 0.5)
    own_only = par_index(units, outcomes, ParIndexRule(district_counts_wards=False), district_of)
    assert {r.agency_code: r.submitted for r in own_only} == {"SNV": 1, "760": 1, "769": 0}


def test_final_score_is_the_mean_or_the_median_as_the_policy_says() -> None:
    evaluations = _evaluations(70, 80, 96)
    assert final_score(evaluations, SelectionPolicy()) == 82.0
    assert final_score(evaluations, SelectionPolicy(final_score_method="median")) == 80.0
    assert final_score(_evaluations(70, 75, 78, 90), SelectionPolicy()) == 78.25
    median = SelectionPolicy(final_score_method="median")
    assert final_score(_evaluations(70, 75, 78, 90), median) == 76.5
    assert final_score([], SelectionPolicy()) is None
    # The aggregate shown to the secretariat and the PAR-Index use the same final score.
    assert aggregate(evaluations, 3, median).final_score == 80.0


def test_par_index_of_a_unit_follows_the_final_score_method() -> None:
    units = [IndexUnit("760", "Quận 1", "district")]
    policies = (SelectionPolicy(), SelectionPolicy(final_score_method="median"))
    means = []
    for policy in policies:
        outcomes = [
            InitiativeOutcome("760", final_score(_evaluations(70, 80, 96), policy), False),
            InitiativeOutcome("26740", final_score(_evaluations(60, 64, 89), policy), True),
        ]
        [row] = par_index(units, outcomes, ParIndexRule(), district_of)
        assert (row.submitted, row.surveyed, row.recommended, row.points) == (2, 2, 1, 3.0)
        means.append(row.mean_score)
    # mean: (82 + 71) / 2 = 76.5; median: (80 + 64) / 2 = 72
    assert means == [76.5, 72.0]


def test_par_unit_of_an_agency() -> None:
    units = {"SNV", "760"}
    assert par_unit_of("SNV", units, ParIndexRule(), district_of) == "SNV"
    assert par_unit_of("26740", units, ParIndexRule(), district_of) == "760"
    assert (
        par_unit_of("26740", units, ParIndexRule(district_counts_wards=False), district_of) is None
    )
    assert par_unit_of("26794", units, ParIndexRule(), district_of) is None  # Thủ Đức not listed


def test_a_contribution_is_announced_only_when_it_changes_with_the_next_version() -> None:
    unit = IndexUnit("760", "Quận 1", "district")
    empty = par_index([unit], [], ParIndexRule(), district_of)[0]
    one = par_index([unit], [InitiativeOutcome("760", None, False)], ParIndexRule(), district_of)[0]
    common = {"campaign_year": 2023, "rule": ParIndexRule(), "at": NOW}
    assert next_contribution(None, row=empty, final_score_method="mean", **common) is None
    first = next_contribution(None, row=one, final_score_method="mean", **common)
    assert first is not None and first.version == 1 and first.row.points == 0.5
    assert next_contribution(first, row=one, final_score_method="mean", **common) is None
    method = next_contribution(first, row=one, final_score_method="median", **common)
    assert method is not None and method.version == 2  # another rule is another state
    back_to_zero = next_contribution(first, row=empty, final_score_method="mean", **common)
    assert back_to_zero is not None and back_to_zero.version == 2
    assert back_to_zero.row.submitted == 0
