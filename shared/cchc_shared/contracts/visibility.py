"""What a reader may see of the evaluations of an initiative: one policy, decided once and
applied by every service that holds evaluations (evaluation, reporting).

The survey's findings are the Department's until it decides; the evaluated agency then
learns the outcome, the score and the survey team's findings, never who said what:

* the PAR office (``secretariat``), ``admin`` and the City People's Committee
  (``committee_viewer``) see everything, before and after the decision;
* a survey-team member (``surveyor``) on a round that visits the initiative sees its team's
  evaluations; any other member sees nothing;
* the agency whose initiative it is (``agency_submitter`` bound to that agency): before the
  decision, the initiative and its status only (no score, no evaluator, no comment); after the
  decision, the outcome (kết quả lựa chọn), the final and mean score (điểm tổng hợp) and the
  survey team's strengths, limitations and difficulties (ưu điểm, hạn chế, khó khăn) pooled
  without who wrote them; never an evaluator's or team member's id, an evaluation sheet, a
  criterion score, the spread of the scores or the sector department's opinion;
* any other agency: nothing (the initiative is answered as absent).

Pure: no I/O. Each service decides how it shows each part (``Part``); what it shows is this
module's answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from cchc_shared.contracts.vocabulary import Recommendation, Role, Scope


class Part(StrEnum):
    """The parts of what a service holds about an initiative's evaluation."""

    STATUS = "status"
    """The initiative itself and where it stands (submitted, scheduled, evaluated, decided)."""
    DECISION = "decision"
    """The Department's decision: outcome, scope, rationale, date."""
    SCORE = "score"
    """The final score, the mean of the totals and how many evaluations count."""
    FINDINGS = "findings"
    """The team's strengths, limitations and difficulties, pooled, without their authors."""
    ANALYSIS = "analysis"
    """The working figures: min, max, spread, quorum, the evaluators' recommendations, the
    sector department's opinion, who decided and any override of the threshold."""
    EVALUATIONS = "evaluations"
    """Each evaluation sheet: evaluator and team member ids, criterion scores, comments."""


ALL_PARTS: Final[frozenset[Part]] = frozenset(Part)
AGENCY_BEFORE_DECISION: Final[frozenset[Part]] = frozenset({Part.STATUS})
AGENCY_AFTER_DECISION: Final[frozenset[Part]] = frozenset(
    {Part.STATUS, Part.DECISION, Part.SCORE, Part.FINDINGS}
)
READ_ALL_ROLES: Final[frozenset[Role]] = frozenset(
    {Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER}
)


class Disclosure(StrEnum):
    """How much a reader sees, by name (shown in the API beside what it allows)."""

    NONE = "none"
    STATUS = "status"
    OUTCOME = "outcome"
    FULL = "full"


DISCLOSURE_VI: Final[dict[Disclosure, str]] = {
    Disclosure.NONE: "Không được xem",
    Disclosure.STATUS: "Chỉ xem trạng thái (chưa có kết quả lựa chọn)",
    Disclosure.OUTCOME: "Kết quả lựa chọn, điểm tổng hợp và nhận xét chung của đoàn khảo sát",
    Disclosure.FULL: "Toàn bộ phiếu đánh giá",
}


@dataclass(frozen=True, slots=True)
class Visibility:
    """The parts a reader may see of one initiative's evaluation (empty: not even that the
    initiative exists)."""

    disclosure: Disclosure
    parts: frozenset[Part]

    def shows(self, part: Part) -> bool:
        return part in self.parts

    @property
    def hidden(self) -> bool:
        """Nothing at all: the initiative is answered as absent (404)."""
        return not self.parts

    @property
    def label_vi(self) -> str:
        return DISCLOSURE_VI[self.disclosure]


NOTHING: Final = Visibility(Disclosure.NONE, frozenset())
STATUS_ONLY: Final = Visibility(Disclosure.STATUS, AGENCY_BEFORE_DECISION)
OUTCOME: Final = Visibility(Disclosure.OUTCOME, AGENCY_AFTER_DECISION)
EVERYTHING: Final = Visibility(Disclosure.FULL, ALL_PARTS)


def evaluation_visibility(
    role: Role | str,
    *,
    initiative_agency: str | None,
    decided: bool,
    agency_code: str | None = None,
    on_visiting_team: bool = False,
) -> Visibility:
    """What a reader with ``role`` (bound to ``agency_code`` for an agency) may see of the
    evaluation of an initiative of ``initiative_agency``, the decision made or not.

    ``on_visiting_team``: the reader is a survey-team member on a round that visits the
    initiative (only the evaluation service knows the teams; others pass False).
    ``initiative_agency`` None (the submission has not arrived yet): no agency owns it."""
    try:
        role = Role(role)
    except ValueError:
        return NOTHING
    if role in READ_ALL_ROLES:
        return EVERYTHING
    if role is Role.SURVEYOR:
        return EVERYTHING if on_visiting_team else NOTHING
    if role is Role.AGENCY_SUBMITTER:
        if agency_code is None or initiative_agency is None or agency_code != initiative_agency:
            return NOTHING
        return OUTCOME if decided else STATUS_ONLY
    return NOTHING  # pragma: no cover - every role is named above


def pooled_findings(texts: Iterable[str]) -> list[str]:
    """The team's remarks on one point (strengths, limitations or difficulties) as the agency
    reads them: without their authors, blanks and repeats dropped, in a stable order that does
    not follow the order the evaluators recorded them in."""
    seen: dict[str, None] = {}
    for text in texts:
        cleaned = text.strip()
        if cleaned:
            seen.setdefault(cleaned, None)
    return sorted(seen)


class EvaluationOutcome(BaseModel):
    """What the agency learns once the Department decided (Kết quả lựa chọn), the same in
    every service: the decision, the final score and the team's pooled findings. No
    evaluator, member or evaluation id, no criterion score."""

    model_config = ConfigDict(frozen=True)

    decision: Recommendation = Field(description="Kết quả lựa chọn")
    scope: Scope | None = Field(description="Phạm vi nhân rộng")
    rationale: str = Field(description="Lý do, căn cứ")
    decided_at: datetime
    final_score: float = Field(description="Điểm tổng hợp, as decided")
    evaluation_count: int = Field(description="Số phiếu đánh giá counted in the final score")
    strengths: list[str] = Field(description="Ưu điểm (the team's, pooled)")
    limitations: list[str] = Field(description="Hạn chế (the team's, pooled)")
    difficulties: list[str] = Field(description="Khó khăn, vướng mắc (the team's, pooled)")

    @classmethod
    def pooled(
        cls,
        *,
        decision: str,
        scope: str | None,
        rationale: str,
        decided_at: datetime,
        final_score: float,
        evaluation_count: int,
        narratives: Iterable[tuple[str, str, str]],
    ) -> EvaluationOutcome:
        """The outcome, with the team's (strengths, limitations, difficulties) pooled."""
        rows = list(narratives)
        return cls.model_validate(
            {
                "decision": decision,
                "scope": scope,
                "rationale": rationale,
                "decided_at": decided_at,
                "final_score": final_score,
                "evaluation_count": evaluation_count,
                "strengths": pooled_findings(r[0] for r in rows),
                "limitations": pooled_findings(r[1] for r in rows),
                "difficulties": pooled_findings(r[2] for r in rows),
            }
        )
