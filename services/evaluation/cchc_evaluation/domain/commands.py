"""What people ask the service to do (already parsed from HTTP)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from uuid import UUID

from cchc_evaluation.domain.evaluations import Narrative
from cchc_evaluation.domain.rubric import Rubric
from cchc_evaluation.domain.selection import DecisionRequest, Stance
from cchc_shared.contracts.vocabulary import Recommendation


@dataclass(frozen=True)
class Actor:
    """Who acts: the token's subject and display name (for the audit log), role and binding
    (a survey member or an agency)."""

    subject: str
    role: str
    member_id: str | None = None
    agency_code: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class EvaluationSheet:
    scores: tuple[tuple[str, float], ...]
    narrative: Narrative
    recommendation: Recommendation


@dataclass(frozen=True)
class RecordEvaluation:
    visit_id: UUID
    sheet: EvaluationSheet
    initiative_id: UUID | None = None  # optional cross-checks of the visit's
    round_id: UUID | None = None
    # The client's Idempotency-Key: a device that sends the same sheet again (a queued
    # submission after the network returned, a double tap) gets the same evaluation back.
    idempotency_key: str | None = None

    def fingerprint(self) -> str:
        """What the request asked, as a digest: the same key with another sheet is refused."""
        asked = {
            "visit_id": str(self.visit_id),
            "initiative_id": str(self.initiative_id) if self.initiative_id else None,
            "round_id": str(self.round_id) if self.round_id else None,
            "scores": [[criterion, float(score)] for criterion, score in self.sheet.scores],
            "strengths": self.sheet.narrative.strengths,
            "limitations": self.sheet.narrative.limitations,
            "difficulties": self.sheet.narrative.difficulties,
            "recommendation": self.sheet.recommendation,
        }
        canonical = json.dumps(asked, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class AmendEvaluation:
    evaluation_id: UUID
    sheet: EvaluationSheet
    reason: str | None = None


@dataclass(frozen=True)
class SetRubric:
    rubric: Rubric


@dataclass(frozen=True)
class RecordSectorOpinion:
    initiative_id: UUID
    agency_code: str
    stance: Stance
    opinion: str


@dataclass(frozen=True)
class Decide:
    initiative_id: UUID
    request: DecisionRequest
