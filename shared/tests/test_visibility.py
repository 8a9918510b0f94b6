"""The platform's one visibility policy for evaluations (cchc_shared.contracts.visibility)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cchc_shared.contracts.visibility import (
    AGENCY_AFTER_DECISION,
    ALL_PARTS,
    DISCLOSURE_VI,
    Disclosure,
    EvaluationOutcome,
    Part,
    evaluation_visibility,
    pooled_findings,
)
from cchc_shared.contracts.vocabulary import Role

OWN, OTHER = "26740", "26743"


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER])
@pytest.mark.parametrize("decided", [False, True])
def test_the_office_admin_and_committee_see_everything(role: Role, decided: bool) -> None:
    seen = evaluation_visibility(role, initiative_agency=OWN, decided=decided)
    assert seen.disclosure is Disclosure.FULL and seen.parts == ALL_PARTS


def test_before_the_decision_the_agency_sees_only_the_status() -> None:
    seen = evaluation_visibility(
        Role.AGENCY_SUBMITTER, initiative_agency=OWN, decided=False, agency_code=OWN
    )
    assert seen.disclosure is Disclosure.STATUS and not seen.hidden
    assert seen.parts == {Part.STATUS}
    for part in (Part.DECISION, Part.SCORE, Part.FINDINGS, Part.ANALYSIS, Part.EVALUATIONS):
        assert not seen.shows(part)


def test_after_the_decision_the_agency_sees_the_outcome_without_evaluators() -> None:
    seen = evaluation_visibility(
        "agency_submitter", initiative_agency=OWN, decided=True, agency_code=OWN
    )
    assert seen.disclosure is Disclosure.OUTCOME
    assert seen.parts == AGENCY_AFTER_DECISION
    assert {Part.STATUS, Part.DECISION, Part.SCORE, Part.FINDINGS} <= seen.parts
    assert not seen.shows(Part.EVALUATIONS) and not seen.shows(Part.ANALYSIS)


@pytest.mark.parametrize("decided", [False, True])
def test_another_agency_sees_nothing(decided: bool) -> None:
    for initiative_agency in (OTHER, None):
        seen = evaluation_visibility(
            Role.AGENCY_SUBMITTER,
            initiative_agency=initiative_agency,
            decided=decided,
            agency_code=OWN,
        )
        assert seen.hidden and seen.disclosure is Disclosure.NONE
    unbound = evaluation_visibility(Role.AGENCY_SUBMITTER, initiative_agency=OWN, decided=decided)
    assert unbound.hidden


def test_a_member_sees_their_teams_evaluations_only() -> None:
    on = evaluation_visibility(
        Role.SURVEYOR, initiative_agency=OWN, decided=False, on_visiting_team=True
    )
    off = evaluation_visibility(Role.SURVEYOR, initiative_agency=OWN, decided=True)
    assert on.parts == ALL_PARTS and off.hidden
    # Being "on the team" means nothing for an agency.
    agency = evaluation_visibility(
        Role.AGENCY_SUBMITTER,
        initiative_agency=OWN,
        decided=False,
        agency_code=OWN,
        on_visiting_team=True,
    )
    assert agency.parts == {Part.STATUS}


def test_an_unknown_role_sees_nothing() -> None:
    assert evaluation_visibility("auditor", initiative_agency=OWN, decided=True).hidden


def test_every_disclosure_has_a_vietnamese_label() -> None:
    assert set(DISCLOSURE_VI) == set(Disclosure)
    seen = evaluation_visibility(Role.ADMIN, initiative_agency=OWN, decided=True)
    assert seen.label_vi == "Toàn bộ phiếu đánh giá"


def test_findings_are_pooled_without_order_or_repeats() -> None:
    assert pooled_findings(["  Rõ ràng ", "", "Công khai", "Rõ ràng"]) == ["Công khai", "Rõ ràng"]


def test_the_outcome_names_no_evaluator() -> None:
    outcome = EvaluationOutcome.pooled(
        decision="replicate",
        scope="city_wide",
        rationale="Hiệu quả rõ rệt.",
        decided_at=datetime(2023, 10, 1, tzinfo=UTC),
        final_score=85.5,
        evaluation_count=2,
        narratives=[("Ưu điểm B", "Hạn chế", ""), ("Ưu điểm A", "Hạn chế", "Khó khăn")],
    )
    assert outcome.strengths == ["Ưu điểm A", "Ưu điểm B"]
    assert outcome.limitations == ["Hạn chế"] and outcome.difficulties == ["Khó khăn"]
    assert set(EvaluationOutcome.model_fields) == {
        "decision",
        "scope",
        "rationale",
        "decided_at",
        "final_score",
        "evaluation_count",
        "strengths",
        "limitations",
        "difficulties",
    }
    with pytest.raises(ValueError):
        EvaluationOutcome.pooled(
            decision="maybe",
            scope=None,
            rationale="",
            decided_at=datetime(2023, 10, 1, tzinfo=UTC),
            final_score=1,
            evaluation_count=1,
            narratives=[],
        )
