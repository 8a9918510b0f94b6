"""Facts: what the reporting service keeps from each event, and which version of a fact wins.

Events may arrive in any order (an evaluation before its round, a reschedule before the
schedule, a redelivery after a newer state). Every fact therefore carries a *version*
taken from the event itself, never from the arrival time, and a stored fact is replaced
only by a strictly newer version. Applying the same set of events in any order yields
the same facts, so a rebuild from the log equals the live read models.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Final
from uuid import UUID

from cchc_shared.contracts.events import (
    EvaluationRecordedV1,
    EventData,
    InitiativeAmendedV1,
    InitiativeRejectedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    ParIndexContributionUpdatedV1,
    ReplicationRecommendedV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
    SelectionDecidedV1,
)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# Ranks break a tie between two versions stamped with the same microsecond: an amendment
# outranks a submission, a reschedule outranks a schedule.
_RANKS: Final = 4


@dataclass(frozen=True, order=True)
class Version:
    """Total order of the versions of one fact: the fact's own timestamp (in microseconds),
    then a rank, then the event id so that equal timestamps still order deterministically."""

    stamp: int
    event_id: str

    @classmethod
    def of(cls, moment: datetime | None, event_id: str, rank: int = 0) -> Version:
        if not 0 <= rank < _RANKS:
            raise ValueError(f"rank must be in [0, {_RANKS})")
        micros = 0
        if moment is not None:
            delta = moment.astimezone(UTC) - _EPOCH
            micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return cls(micros * _RANKS + rank, event_id)

    @classmethod
    def numbered(cls, number: int, event_id: str) -> Version:
        """The version of a fact whose publisher numbers its states (1, 2, …)."""
        return cls(number, event_id)


@dataclass(frozen=True)
class InitiativeFact:
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    kind: str
    title: str
    summary: str
    par_area: str
    applied_since: date
    results: str
    limitations: str
    submitted_at: datetime
    amended_at: datetime | None
    version: Version

    @property
    def key(self) -> UUID:
        return self.initiative_id


@dataclass(frozen=True)
class WithdrawalFact:
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    reason: str
    withdrawn_at: datetime
    version: Version

    @property
    def key(self) -> UUID:
        return self.initiative_id


@dataclass(frozen=True)
class TeamMemberFact:
    member_id: str
    name: str
    role: str
    agency_code: str


@dataclass(frozen=True)
class VisitFact:
    visit_id: UUID
    initiative_id: UUID
    agency_code: str
    date: date
    starts_at: time


@dataclass(frozen=True)
class RoundFact:
    """A round's latest known state (scheduled, or rescheduled with its whole new state)."""

    round_id: UUID
    campaign_year: int
    sequence: int
    starts_on: date
    ends_on: date
    team: tuple[TeamMemberFact, ...]
    visits: tuple[VisitFact, ...]
    rescheduled: bool
    reason: str
    version: Version

    @property
    def key(self) -> UUID:
        return self.round_id


@dataclass(frozen=True)
class CancellationFact:
    round_id: UUID
    campaign_year: int
    sequence: int
    reason: str
    cancelled_at: datetime
    version: Version

    @property
    def key(self) -> UUID:
        return self.round_id


@dataclass(frozen=True)
class ScoreFact:
    criterion: str
    score: float
    max_score: float


@dataclass(frozen=True)
class EvaluationFact:
    evaluation_id: UUID
    initiative_id: UUID
    round_id: UUID
    visit_id: UUID
    evaluator_id: str
    scores: tuple[ScoreFact, ...]
    total: float
    strengths: str
    limitations: str
    difficulties: str
    recommendation: str
    recorded_at: datetime
    version: Version

    @property
    def key(self) -> UUID:
        return self.evaluation_id


@dataclass(frozen=True)
class RecommendationFact:
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    title: str
    kind: str
    par_area: str
    final_score: float
    evaluation_count: int
    scope: str
    rationale: str
    decided_at: datetime
    version: Version

    @property
    def key(self) -> UUID:
        return self.initiative_id


@dataclass(frozen=True)
class DecisionFact:
    """The Department's decision on an initiative (every outcome, not only replication)."""

    initiative_id: UUID
    campaign_year: int
    decision: str  # replicate | improve | not_recommended
    scope: str | None
    final_score: float
    evaluation_count: int
    rationale: str
    overridden: bool
    decided_at: datetime
    version: Version

    @property
    def key(self) -> UUID:
        return self.initiative_id


@dataclass(frozen=True)
class RejectionFact:
    origin_source: str
    origin_id: str
    errors: tuple[tuple[str, str], ...]  # (field, message)
    occurred_at: datetime | None
    version: Version
    campaign_year: int | None = None  # the campaign the refused message named, if readable

    def counts_in(self, year: int) -> bool:
        """Counted in the campaign it named, else in the year it was refused."""
        if self.campaign_year is not None:
            return self.campaign_year == year
        return self.occurred_at is not None and self.occurred_at.year == year

    @property
    def key(self) -> tuple[str, str]:
        return (self.origin_source, self.origin_id)


@dataclass(frozen=True)
class ParRuleFact:
    """The rule the evaluation service computed a PAR-Index contribution under."""

    per_submitted: float
    per_surveyed: float
    per_recommended: float
    cap: float
    district_counts_wards: bool
    final_score_method: str  # mean | median


@dataclass(frozen=True)
class ParContributionFact:
    """A unit's PAR-Index contribution to a campaign, as the evaluation service computed and
    announced it; reporting shows it and never recomputes it."""

    campaign_year: int
    agency_code: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None
    points: float
    rule: ParRuleFact
    computed_at: datetime
    version: Version

    @property
    def key(self) -> tuple[int, str]:
        return (self.campaign_year, self.agency_code)


Fact = (
    InitiativeFact
    | WithdrawalFact
    | RoundFact
    | CancellationFact
    | EvaluationFact
    | RecommendationFact
    | DecisionFact
    | RejectionFact
    | ParContributionFact
)

FACT_KINDS: Final[tuple[type[Fact], ...]] = (
    InitiativeFact,
    WithdrawalFact,
    RoundFact,
    CancellationFact,
    EvaluationFact,
    RecommendationFact,
    DecisionFact,
    RejectionFact,
    ParContributionFact,
)


@dataclass(frozen=True)
class CampaignFacts:
    """Every fact of one campaign year (evaluations: those of its initiatives or rounds)."""

    year: int
    initiatives: Sequence[InitiativeFact] = ()
    withdrawals: Sequence[WithdrawalFact] = ()
    rounds: Sequence[RoundFact] = ()
    cancellations: Sequence[CancellationFact] = ()
    evaluations: Sequence[EvaluationFact] = ()
    recommendations: Sequence[RecommendationFact] = ()
    rejections: Sequence[RejectionFact] = ()
    decisions: Sequence[DecisionFact] = ()
    par_contributions: Sequence[ParContributionFact] = ()


def _round_fact(data: RoundScheduledV1, version: Version) -> RoundFact:
    rescheduled = isinstance(data, RoundRescheduledV1)
    return RoundFact(
        round_id=data.round_id,
        campaign_year=data.campaign_year,
        sequence=data.sequence,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        team=tuple(TeamMemberFact(m.member_id, m.name, m.role, m.agency_code) for m in data.team),
        visits=tuple(
            VisitFact(v.visit_id, v.initiative_id, v.agency_code, v.date, v.starts_at)
            for v in data.visits
        ),
        rescheduled=rescheduled,
        reason=data.reason if isinstance(data, RoundRescheduledV1) else "",
        version=version,
    )


def facts_from_event(event_id: str, occurred_at: datetime | None, data: EventData) -> list[Fact]:
    """The facts one event contributes. ``occurred_at`` is the CloudEvents ``time``; it
    versions the facts whose data carry no timestamp of their own (round states, rejections).
    An event type the service does not project yet contributes nothing (it stays in the log,
    so a later version of the service can rebuild from it)."""
    if isinstance(data, InitiativeAmendedV1 | InitiativeSubmittedV1):
        amended = isinstance(data, InitiativeAmendedV1)
        moment = data.amended_at if isinstance(data, InitiativeAmendedV1) else data.submitted_at
        return [
            InitiativeFact(
                initiative_id=data.initiative_id,
                campaign_year=data.campaign_year,
                agency_code=data.agency_code,
                kind=data.kind,
                title=data.title,
                summary=data.summary,
                par_area=data.par_area,
                applied_since=data.applied_since,
                results=data.results,
                limitations=data.limitations,
                submitted_at=data.submitted_at,
                amended_at=data.amended_at if isinstance(data, InitiativeAmendedV1) else None,
                version=Version.of(moment, event_id, 1 if amended else 0),
            )
        ]
    if isinstance(data, InitiativeWithdrawnV1):
        return [
            WithdrawalFact(
                initiative_id=data.initiative_id,
                campaign_year=data.campaign_year,
                agency_code=data.agency_code,
                reason=data.reason,
                withdrawn_at=data.withdrawn_at,
                version=Version.of(data.withdrawn_at, event_id),
            )
        ]
    if isinstance(data, RoundScheduledV1):  # RoundRescheduledV1 is a subclass
        rank = 1 if isinstance(data, RoundRescheduledV1) else 0
        return [_round_fact(data, Version.of(occurred_at, event_id, rank))]
    if isinstance(data, RoundCancelledV1):
        return [
            CancellationFact(
                round_id=data.round_id,
                campaign_year=data.campaign_year,
                sequence=data.sequence,
                reason=data.reason,
                cancelled_at=data.cancelled_at,
                version=Version.of(data.cancelled_at, event_id),
            )
        ]
    if isinstance(data, EvaluationRecordedV1):
        return [
            EvaluationFact(
                evaluation_id=data.evaluation_id,
                initiative_id=data.initiative_id,
                round_id=data.round_id,
                visit_id=data.visit_id,
                evaluator_id=data.evaluator_id,
                scores=tuple(ScoreFact(s.criterion, s.score, s.max_score) for s in data.scores),
                total=data.total,
                strengths=data.strengths,
                limitations=data.limitations,
                difficulties=data.difficulties,
                recommendation=data.recommendation,
                recorded_at=data.recorded_at,
                version=Version.of(data.recorded_at, event_id),
            )
        ]
    if isinstance(data, ReplicationRecommendedV1):
        return [
            RecommendationFact(
                initiative_id=data.initiative_id,
                campaign_year=data.campaign_year,
                agency_code=data.agency_code,
                title=data.title,
                kind=data.kind,
                par_area=data.par_area,
                final_score=data.final_score,
                evaluation_count=data.evaluation_count,
                scope=data.scope,
                rationale=data.rationale,
                decided_at=data.decided_at,
                version=Version.of(data.decided_at, event_id),
            )
        ]
    if isinstance(data, SelectionDecidedV1):
        return [
            DecisionFact(
                initiative_id=data.initiative_id,
                campaign_year=data.campaign_year,
                decision=data.decision,
                scope=data.scope,
                final_score=data.final_score,
                evaluation_count=data.evaluation_count,
                rationale=data.rationale,
                overridden=data.overridden,
                decided_at=data.decided_at,
                version=Version.of(data.decided_at, event_id),
            )
        ]
    if isinstance(data, ParIndexContributionUpdatedV1):
        rule = data.rule
        return [
            ParContributionFact(
                campaign_year=data.campaign_year,
                agency_code=data.agency_code,
                submitted=data.submitted,
                surveyed=data.surveyed,
                recommended=data.recommended,
                mean_score=data.mean_score,
                points=data.points,
                rule=ParRuleFact(
                    per_submitted=rule.per_submitted,
                    per_surveyed=rule.per_surveyed,
                    per_recommended=rule.per_recommended,
                    cap=rule.cap,
                    district_counts_wards=rule.district_counts_wards,
                    final_score_method=rule.final_score_method,
                ),
                computed_at=data.computed_at,
                # The publisher numbers the states of one unit: the highest number wins.
                version=Version.numbered(data.version, event_id),
            )
        ]
    if isinstance(data, InitiativeRejectedV1):
        return [
            RejectionFact(
                origin_source=data.origin_source,
                origin_id=data.origin_id,
                errors=tuple((e.field, e.message) for e in data.errors),
                occurred_at=occurred_at,
                version=Version.of(occurred_at, event_id),
                campaign_year=data.campaign_year,
            )
        ]
    return []


def supersedes(candidate: Fact, stored: Fact | None) -> bool:
    """Whether ``candidate`` replaces ``stored``: only a strictly newer version does."""
    return stored is None or candidate.version > stored.version


@dataclass
class FactSet:
    """Every fact by kind and key, applying the version rule; the in-memory projection used
    to rebuild from the log and by tests."""

    by_kind: dict[type[Fact], dict[object, Fact]] = field(
        default_factory=lambda: {kind: {} for kind in FACT_KINDS}
    )

    def apply(self, fact: Fact) -> bool:
        facts = self.by_kind[type(fact)]
        stored = facts.get(fact.key)
        if supersedes(fact, stored):
            facts[fact.key] = fact
            return True
        return False

    def apply_all(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self.apply(fact)

    def of_kind(self, kind: type[Fact]) -> Iterator[Fact]:
        return iter(self.by_kind[kind].values())
