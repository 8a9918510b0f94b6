"""Evaluations: a survey member's scored sheet of a visited initiative, and the rules for
recording or amending one. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from cchc_evaluation.domain.knowledge import InitiativeInfo, Round, TeamMember, Visit
from cchc_evaluation.domain.rubric import CriterionScore, ScoreSheet
from cchc_shared.contracts.vocabulary import Recommendation
from cchc_shared.errors import Conflict, Fault, Forbidden, InvalidInput

VIETNAM = timezone(timedelta(hours=7), "ICT")  # Vietnam keeps no daylight saving time


def vietnam_today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


@dataclass(frozen=True)
class Narrative:
    strengths: str
    limitations: str
    difficulties: str


@dataclass
class Evaluation:
    id: UUID
    initiative_id: UUID
    round_id: UUID
    visit_id: UUID
    evaluator_id: str
    campaign_year: int
    scores: tuple[CriterionScore, ...]
    total: float
    narrative: Narrative
    recommendation: Recommendation
    recorded_at: datetime
    updated_at: datetime
    version: int = 1

    def amend(
        self, sheet: ScoreSheet, narrative: Narrative, recommendation: Recommendation, at: datetime
    ) -> None:
        self.scores, self.total = sheet.scores, sheet.total
        self.narrative, self.recommendation = narrative, recommendation
        self.updated_at = at
        self.version += 1

    def sheet_values(self) -> dict[str, Any]:
        """The scored sheet as plain values, as the audit log, the event, the stored row and
        the API all name them."""
        return {
            "scores": [
                {"criterion": s.criterion, "score": s.score, "max_score": s.max_score}
                for s in self.scores
            ],
            "total": self.total,
            "strengths": self.narrative.strengths,
            "limitations": self.narrative.limitations,
            "difficulties": self.narrative.difficulties,
            "recommendation": self.recommendation,
        }

    def values(self) -> dict[str, Any]:
        """Who evaluated which visit, and the sheet: what the event and the API both show."""
        return {
            "evaluation_id": self.id,
            "initiative_id": self.initiative_id,
            "round_id": self.round_id,
            "visit_id": self.visit_id,
            "evaluator_id": self.evaluator_id,
            **self.sheet_values(),
        }


# Who scores in a survey team: the head and the members; the secretary (thư ký) keeps the
# record and scores only where the campaign says so (its setting ``secretary_scores``).
SCORING_ROLES: tuple[str, ...] = ("head", "member")


def scoring_roles(secretary_scores: bool) -> tuple[str, ...]:
    """The team roles that score in a campaign."""
    return (*SCORING_ROLES, "secretary") if secretary_scores else SCORING_ROLES


def check_may_evaluate(
    *,
    member_id: str,
    round_: Round,
    visit: Visit,
    initiative: InitiativeInfo | None,
    decided: bool,
    today: date,
    evaluator_roles: Iterable[str],
) -> TeamMember:
    """The rules for recording (or amending) an evaluation of ``visit``; the member if allowed."""
    member = round_.member(member_id)
    if member is None:
        raise Forbidden(
            Fault(
                "visit_id",
                f"Thành viên {member_id} không thuộc đoàn khảo sát đợt {round_.sequence} nên "
                "không được đánh giá buổi làm việc này",
                f"member {member_id} is not on the team of round {round_.sequence} "
                f"({round_.id}) and may not evaluate this visit",
            )
        )
    if member.role not in set(evaluator_roles):
        if member.role == "secretary":
            raise Forbidden(
                Fault(
                    "visit_id",
                    f"Thư ký đoàn khảo sát không chấm điểm trong đợt khảo sát năm "
                    f"{round_.campaign_year}: chỉ Trưởng đoàn và các thành viên chấm điểm, trừ "
                    "khi thiết lập của đợt cho phép thư ký chấm điểm",
                    f"the survey team's secretary does not score in the {round_.campaign_year} "
                    "campaign: only the head and the members do, unless the campaign's "
                    "settings let the secretary score",
                )
            )
        raise Forbidden(
            Fault(
                "visit_id",
                f"Vai trò {member.role} trong đoàn khảo sát không chấm điểm",
                f"team role {member.role} does not score initiatives",
            )
        )
    if round_.is_cancelled:
        raise Conflict(
            Fault(
                "visit_id",
                f"Đợt khảo sát {round_.sequence} đã bị hủy",
                f"round {round_.sequence} was cancelled",
                extra={"rule": "round_cancelled"},
            )
        )
    if today < visit.date:
        raise Conflict(
            Fault(
                "visit_id",
                f"Chưa đến ngày khảo sát ({visit.date:%d/%m/%Y}); chỉ được đánh giá từ ngày "
                "làm việc trở đi",
                f"the visit is on {visit.date.isoformat()}; evaluations open on that date",
                extra={"rule": "before_visit_day"},
            )
        )
    if initiative is not None and initiative.is_withdrawn:
        raise Conflict(
            Fault(
                "visit_id",
                "Đơn vị đã rút sáng kiến này khỏi đợt khảo sát",
                "the agency withdrew this initiative from the campaign",
                extra={"rule": "withdrawn"},
            )
        )
    if decided:
        raise Conflict(
            Fault(
                "visit_id",
                "Sáng kiến đã có quyết định lựa chọn; không thể ghi nhận hoặc sửa đánh giá",
                "a selection decision was taken on this initiative; evaluations are closed",
                extra={"rule": "decided"},
            )
        )
    return member


# Each conflict names its rule (``rule`` in the error body), so that a client tells a sheet
# already kept, or closed for good, from news the service has not caught up with yet.
class AlreadyEvaluated(Conflict):
    """The member's sheet for the initiative is already recorded: amend it instead."""

    def __init__(self, existing_id: UUID | None) -> None:
        self.existing_id = existing_id
        suffix = f" ({existing_id})" if existing_id else ""
        super().__init__(
            Fault(
                "visit_id",
                f"Thành viên đã đánh giá sáng kiến này{suffix}; hãy sửa phiếu đã có",
                f"this member already evaluated the initiative{suffix}; amend that evaluation",
                extra={"rule": "already_evaluated"},
            )
        )

    def body_extra(self) -> dict[str, Any]:
        return {"existing_id": str(self.existing_id)} if self.existing_id else {}


# An Idempotency-Key is the client's (a device's random id, e.g. a UUID): printable ASCII.
IDEMPOTENCY_KEY_MAX_LENGTH = 200
IDEMPOTENCY_KEY_FIELD = "Idempotency-Key"


@dataclass(frozen=True)
class KeyedRequest:
    """A request recorded under its client's Idempotency-Key: what it asked (a digest) and the
    evaluation it recorded."""

    evaluator_id: str
    key: str
    fingerprint: str
    evaluation_id: UUID
    recorded_at: datetime


def check_idempotency_key(key: str) -> str:
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH or not all("!" <= c <= "~" for c in key):
        raise InvalidInput(
            Fault(
                IDEMPOTENCY_KEY_FIELD,
                f"Khóa chống gửi trùng (Idempotency-Key) phải gồm 1 đến "
                f"{IDEMPOTENCY_KEY_MAX_LENGTH} ký tự ASCII in được, không có khoảng trắng",
                f"the Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable "
                "ASCII characters without spaces",
            )
        )
    return key


def check_same_request(stored: KeyedRequest, fingerprint: str) -> None:
    """The same key again must ask the same thing; another sheet under it is refused."""
    if stored.fingerprint != fingerprint:
        raise Conflict(
            Fault(
                IDEMPOTENCY_KEY_FIELD,
                "Khóa chống gửi trùng (Idempotency-Key) này đã được dùng cho một phiếu đánh giá "
                f"khác ({stored.evaluation_id}); phiếu mới cần một khóa mới",
                f"this Idempotency-Key was used for another evaluation sheet "
                f"({stored.evaluation_id}); a new sheet needs a new key",
            )
        )
