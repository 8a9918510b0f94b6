"""What a reader may see of an initiative's evaluations in the reports: the platform's one
visibility policy (``cchc_shared.contracts.visibility``) applied to the read models. Pure."""

from __future__ import annotations

from cchc_reporting.domain.read_models import AgencyScorecard, InitiativeLife
from cchc_reporting.domain.views import agency_scorecard
from cchc_shared.contracts.visibility import (
    EvaluationOutcome,
    Part,
    Visibility,
    evaluation_visibility,
)


def decided(life: InitiativeLife) -> bool:
    """The Department has decided on the initiative (whatever the outcome)."""
    return life.decision is not None or life.recommendation is not None


def visibility(role: str, agency_code: str | None, life: InitiativeLife) -> Visibility:
    """What a reader (role and agency binding) may see of this initiative's evaluations.
    Reporting does not know who is on which team: a survey member sees nothing here (their
    scores are in the evaluation service)."""
    return evaluation_visibility(
        role,
        initiative_agency=life.agency.code,
        decided=decided(life),
        agency_code=agency_code,
    )


def outcome(life: InitiativeLife, seen: Visibility) -> EvaluationOutcome | None:
    """The decided outcome with the team's pooled findings, if decided and visible."""
    if not seen.shows(Part.DECISION):
        return None
    d, r = life.decision, life.recommendation
    if d is not None:
        what, scope, rationale, at = d.decision, d.scope, d.rationale, d.decided_at
        final, count = d.final_score, d.evaluation_count
    elif r is not None:  # the recommendation arrived before its SelectionDecided
        what, scope, rationale, at = "replicate", r.scope, r.rationale, r.decided_at
        final, count = r.final_score, r.evaluation_count
    else:
        return None
    return EvaluationOutcome.pooled(
        decision=what,
        scope=scope,
        rationale=rationale,
        decided_at=at,
        final_score=final,
        evaluation_count=count,
        narratives=((e.strengths, e.limitations, e.difficulties) for e in life.evaluations),
    )


def scorecard_seen(card: AgencyScorecard, role: str, agency_code: str | None) -> AgencyScorecard:
    """The scorecard as the reader may see it: the agency's score figures count only the
    initiatives whose scores it may see (the decided ones)."""
    lives = card.initiatives
    if all(visibility(role, agency_code, life).shows(Part.ANALYSIS) for life in lives):
        return card
    return agency_scorecard(
        lives, scored=lambda life: visibility(role, agency_code, life).shows(Part.SCORE)
    )
