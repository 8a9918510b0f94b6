"""Facts: what the reporting service keeps from each event, and which version of a fact wins.

Events may arrive in any order (an evaluation before its round, a reschedule before the
schedule, a redelivery after a newer state). Every fact therefore carries a *version*
taken from the event itself, never from the arrival time, and a stored fact is replaced
only by a strictly newer version. Applying the same set of events in any order yields
the same facts, so a rebuild from the log equals the live read models.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Final, TypeVar
from uuid import UUID

from cchc_shared.contracts.events import (
    AdoptionReportedV1,
    CampaignSettingsChangedV1,
    EvaluationRecordedV1,
    EventData,
    InitiativeAmendedV1,
    InitiativeRejectedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    ParIndexContributionUpdatedV1,
    ReplicationDecidedV1,
    ReplicationRecommendedV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
    SelectionDecidedV1,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

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
    # The lineage across years (``builds_on``, added within v1): the earlier campaign's
    # initiative this one builds on, and how; None when it builds on none.
    builds_on_id: UUID | None = None
    builds_on_relation: str | None = None

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
    honorific: str | None = None  # absent from rounds scheduled before the field existed
    position: str | None = None


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
    # Per adopted model recognised after the previous campaign (0 before the rule had it).
    per_adopted: float = 0.0


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


@dataclass(frozen=True)
class RecognitionFact:
    """One model the People's Committee recognised (ReplicationDecided), with its decision."""

    initiative_id: UUID
    decision_id: UUID
    decision_number: str
    signed_on: date
    signer_name: str
    signer_title: str
    campaign_year: int
    agency_code: str
    title: str
    kind: str
    par_area: str
    scope: str
    targets: tuple[str, ...]
    deadline: date
    version: Version

    @property
    def key(self) -> UUID:
        return self.initiative_id


@dataclass(frozen=True)
class AdoptionFact:
    """One agency's report for one quarter on one model: the highest revision wins (an
    amendment replaces the quarter's figures)."""

    initiative_id: UUID
    agency_code: str
    quarter: str
    report_id: UUID
    decision_id: UUID
    revision: int
    status: str
    reason: str
    started_on: date | None
    adaptation: str
    measured_from: date | None
    measured_to: date | None
    processing_days_before: float | None
    processing_days_after: float | None
    satisfaction_percent: float | None
    cases_handled: int | None
    late: bool
    reported_at: datetime
    version: Version

    @property
    def key(self) -> tuple[UUID, str, str]:
        return (self.initiative_id, self.agency_code, self.quarter)


@dataclass(frozen=True)
class CampaignSettingsFact:
    """What the documents need of a campaign's settings, as intake announced them: the survey
    plan they cite and whether the secretary scores. Intake numbers the states: the highest
    wins."""

    campaign_year: int
    plan_number: str | None
    plan_signed_on: date | None
    secretary_scores: bool
    version: Version

    @property
    def key(self) -> int:
        return self.campaign_year


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
    | RecognitionFact
    | AdoptionFact
    | CampaignSettingsFact
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
    RecognitionFact,
    AdoptionFact,
    CampaignSettingsFact,
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
    settings: CampaignSettingsFact | None = None  # None until intake announced the campaign


@dataclass(frozen=True)
class _Indicators:
    """The indicator fields an adoption report carries (AdoptionIndicatorsData)."""

    measured_from: date | None
    measured_to: date | None
    processing_days_before: float | None
    processing_days_after: float | None
    satisfaction_percent: float | None
    cases_handled: int | None


@dataclass(frozen=True)
class FollowUpFacts:
    """Every recognised model and every quarter's adoption report (all years: a model's
    follow-up runs over the years after its campaign)."""

    recognitions: Sequence[RecognitionFact] = ()
    adoptions: Sequence[AdoptionFact] = ()


def build(kind: type[T], read: Callable[[dataclasses.Field[Any]], Any], **given: Any) -> T:
    """An instance of the dataclass ``kind``: the fields in ``given`` as given, every other
    field read by ``read`` (a fact's fields carry the names of the event's, and of its row's)."""
    fields = dataclasses.fields(kind)
    return kind(**{f.name: read(f) for f in fields if f.name not in given}, **given)


def _copy(kind: type[T], source: object, **given: Any) -> T:
    """``kind`` from the same-named attributes of ``source`` (an event's data)."""
    return build(kind, lambda f: getattr(source, f.name), **given)


def _lineage(data: InitiativeSubmittedV1 | InitiativeAmendedV1) -> dict[str, Any]:
    builds_on = data.builds_on
    return {
        "builds_on_id": builds_on.initiative_id if builds_on else None,
        "builds_on_relation": builds_on.relation if builds_on else None,
    }


def facts_from_event(event_id: str, occurred_at: datetime | None, data: EventData) -> list[Fact]:
    """The facts one event contributes. ``occurred_at`` is the CloudEvents ``time``; it
    versions the facts whose data carry no timestamp of their own (round states, rejections).
    An event type the service does not project yet contributes nothing (it stays in the log,
    so a later version of the service can rebuild from it)."""
    if isinstance(data, InitiativeAmendedV1):
        version = Version.of(data.amended_at, event_id, 1)  # outranks the submission
        return [_copy(InitiativeFact, data, version=version, **_lineage(data))]
    if isinstance(data, InitiativeSubmittedV1):
        version = Version.of(data.submitted_at, event_id)
        return [_copy(InitiativeFact, data, amended_at=None, version=version, **_lineage(data))]
    if isinstance(data, InitiativeWithdrawnV1):
        return [_copy(WithdrawalFact, data, version=Version.of(data.withdrawn_at, event_id))]
    if isinstance(data, RoundScheduledV1):  # RoundRescheduledV1 is a subclass
        rescheduled = isinstance(data, RoundRescheduledV1)
        round_fact = _copy(
            RoundFact,
            data,
            team=tuple(_copy(TeamMemberFact, m) for m in data.team),
            visits=tuple(_copy(VisitFact, v) for v in data.visits),
            rescheduled=rescheduled,
            reason=data.reason if isinstance(data, RoundRescheduledV1) else "",
            version=Version.of(occurred_at, event_id, 1 if rescheduled else 0),
        )
        return [round_fact]
    if isinstance(data, RoundCancelledV1):
        return [_copy(CancellationFact, data, version=Version.of(data.cancelled_at, event_id))]
    if isinstance(data, EvaluationRecordedV1):
        scores = tuple(_copy(ScoreFact, s) for s in data.scores)
        version = Version.of(data.recorded_at, event_id)
        return [_copy(EvaluationFact, data, scores=scores, version=version)]
    if isinstance(data, ReplicationRecommendedV1):
        version = Version.of(data.decided_at, event_id)
        return [_copy(RecommendationFact, data, version=version)]
    if isinstance(data, SelectionDecidedV1):
        return [_copy(DecisionFact, data, version=Version.of(data.decided_at, event_id))]
    if isinstance(data, ParIndexContributionUpdatedV1):
        # The publisher numbers the states of one unit: the highest number wins.
        version = Version.numbered(data.version, event_id)
        rule = _copy(ParRuleFact, data.rule)
        return [_copy(ParContributionFact, data, rule=rule, version=version)]
    if isinstance(data, ReplicationDecidedV1):
        version = Version.of(data.recorded_at, event_id)
        decision = {
            "decision_id": data.decision_id,
            "decision_number": data.decision_number,
            "signed_on": data.signed_on,
            "signer_name": data.signer_name,
            "signer_title": data.signer_title,
        }
        return [
            _copy(RecognitionFact, m, **decision, targets=tuple(m.targets), version=version)
            for m in data.models
        ]
    if isinstance(data, AdoptionReportedV1):
        # The publisher numbers the revisions of one quarter's report: the highest wins.
        version = Version.numbered(data.revision, event_id)
        measured = {
            f.name: getattr(data.indicators, f.name) for f in dataclasses.fields(_Indicators)
        }
        return [_copy(AdoptionFact, data, **measured, version=version)]
    if isinstance(data, CampaignSettingsChangedV1):
        version = Version.numbered(data.version, event_id)
        return [_copy(CampaignSettingsFact, data, version=version)]
    if isinstance(data, InitiativeRejectedV1):
        errors = tuple((e.field, e.message) for e in data.errors)
        version = Version.of(occurred_at, event_id)
        return [_copy(RejectionFact, data, errors=errors, occurred_at=occurred_at, version=version)]
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
