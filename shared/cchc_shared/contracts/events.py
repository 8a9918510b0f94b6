"""Every public event's `data`, as versioned, frozen pydantic models.

A breaking change is a new class with a new version (``...V2``) published beside
the old one; these classes are never edited incompatibly.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from cchc_shared.contracts.quarters import QUARTER_PATTERN
from cchc_shared.contracts.text import LongText, OptionalLongText, ShortText

# Re-exported (``X as X``): the vocabularies are defined in vocabulary.py only.
from cchc_shared.contracts.vocabulary import KINDS as KINDS
from cchc_shared.contracts.vocabulary import PAR_AREAS as PAR_AREAS
from cchc_shared.contracts.vocabulary import AdoptionStatus as AdoptionStatus
from cchc_shared.contracts.vocabulary import BuildsOnRelation as BuildsOnRelation
from cchc_shared.contracts.vocabulary import FinalScoreMethod as FinalScoreMethod
from cchc_shared.contracts.vocabulary import Kind as Kind
from cchc_shared.contracts.vocabulary import ParArea as ParArea
from cchc_shared.contracts.vocabulary import Recommendation as Recommendation
from cchc_shared.contracts.vocabulary import ReplicationScope as ReplicationScope
from cchc_shared.contracts.vocabulary import Scope as Scope
from cchc_shared.contracts.vocabulary import TeamRole as TeamRole

TYPE_PREFIX = "vn.hcmc.cchc."
SCHEMA_BASE_URI = "https://cchc.hochiminhcity.gov.vn/schemas/events/"
EVENTS_EXCHANGE = "cchc.events"
INBOUND_EXCHANGE = "cchc.inbound"
PLATFORMS = "platforms"  # other city platforms, each with its own RabbitMQ user
SERVICE_SOURCE_PREFIX = "/cchc/"  # the CloudEvents sources of the platform's own services


def service_source(service: str) -> str:
    """The CloudEvents ``source`` of a service's events: ``/cchc/<service>``."""
    return f"{SERVICE_SOURCE_PREFIX}{service}"


# A city department / vertical agency short code, a district (3 digits) or a ward (5 digits).
AGENCY_CODE_PATTERN = r"^(?:[A-Z][A-Z0-9]{1,15}|\d{3}|\d{5})$"
AgencyCode = Annotated[str, StringConstraints(pattern=AGENCY_CODE_PATTERN)]
MemberId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
]
CampaignYear = Annotated[int, Field(ge=2000, le=2100)]
Score = Annotated[float, Field(ge=0, le=100)]
# An e-mail address as people type it (one ``@``, a dotted domain, no spaces); the mail
# server is the judge of whether it exists.
EmailAddress = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]


class EventData(BaseModel):
    """Base of every event's data. Unknown fields are ignored, as the contract asks."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False)

    routing_key: ClassVar[str]
    exchange: ClassVar[str] = EVENTS_EXCHANGE
    # Who may publish it: a service on cchc.events (CONTRACT.md), PLATFORMS on cchc.inbound.
    publisher: ClassVar[str]
    schema_name: ClassVar[str]  # file name stem under docs/events/
    description: ClassVar[str]

    @classmethod
    def event_type(cls) -> str:
        return TYPE_PREFIX + cls.routing_key

    @classmethod
    def dataschema(cls) -> str:
        return f"{SCHEMA_BASE_URI}{cls.schema_name}.json"

    def subject(self) -> str:
        raise NotImplementedError


class BuildsOnData(BaseModel):
    """The earlier campaign's initiative a new one builds on, and how (added within v1)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    initiative_id: UUID  # the earlier initiative, as intake announced it
    relation: BuildsOnRelation


class _InitiativeFields(EventData):
    campaign_year: CampaignYear
    agency_code: AgencyCode
    kind: Kind
    title: ShortText
    summary: LongText
    par_area: ParArea
    applied_since: date
    results: LongText
    limitations: OptionalLongText
    submitted_at: AwareDatetime
    # Added within v1 (optional): the initiative of an earlier campaign year this one builds
    # on (a resubmission, an improvement, the adoption of a recognised model); absent when
    # it builds on none. Intake checks that it exists and is of an earlier year.
    builds_on: BuildsOnData | None = None


class InitiativeSubmittedV1(_InitiativeFields):
    publisher: ClassVar[str] = "intake"
    routing_key: ClassVar[str] = "initiative.submitted.v1"
    schema_name: ClassVar[str] = "initiative.submitted.v1"
    description: ClassVar[str] = "An agency's initiative was accepted into the campaign."

    initiative_id: UUID
    # Added within v1 (optional): the agency's contact address, from intake's reference
    # data, so that a service that writes to the agency keeps no directory of its own.
    agency_email: EmailAddress | None = None

    def subject(self) -> str:
        return str(self.initiative_id)


class InboundInitiativeSubmittedV1(_InitiativeFields):
    """What another city platform publishes on ``cchc.inbound``: no initiative_id yet."""

    exchange: ClassVar[str] = INBOUND_EXCHANGE
    publisher: ClassVar[str] = PLATFORMS
    routing_key: ClassVar[str] = "initiative.submitted.v1"
    schema_name: ClassVar[str] = "inbound.initiative.submitted.v1"
    description: ClassVar[str] = (
        "Another city platform proposes an initiative; intake assigns its id and republishes it."
    )

    def subject(self) -> str:
        return self.agency_code


class InitiativeAmendedV1(_InitiativeFields):
    publisher: ClassVar[str] = "intake"
    routing_key: ClassVar[str] = "initiative.amended.v1"
    schema_name: ClassVar[str] = "initiative.amended.v1"
    description: ClassVar[str] = "An initiative's content was amended while its campaign was open."

    initiative_id: UUID
    amended_at: AwareDatetime
    agency_email: EmailAddress | None = None  # added within v1, as on InitiativeSubmitted

    def subject(self) -> str:
        return str(self.initiative_id)


class InitiativeWithdrawnV1(EventData):
    publisher: ClassVar[str] = "intake"
    routing_key: ClassVar[str] = "initiative.withdrawn.v1"
    schema_name: ClassVar[str] = "initiative.withdrawn.v1"
    description: ClassVar[str] = "The agency withdrew its initiative from the campaign."

    initiative_id: UUID
    campaign_year: CampaignYear
    agency_code: AgencyCode
    reason: OptionalLongText = ""
    withdrawn_at: AwareDatetime

    def subject(self) -> str:
        return str(self.initiative_id)


class DraftReminderDueV1(EventData):
    """A draft its agency has not submitted, as the submission window is about to close:
    intake publishes it once per draft and deadline, when the reminder window opens (a
    setting of intake's, some days before ``submission_closes_on``). A later change of the
    deadline makes a new reminder due; a submitted or discarded draft has none."""

    publisher: ClassVar[str] = "intake"
    routing_key: ClassVar[str] = "draft.reminder_due.v1"
    schema_name: ClassVar[str] = "draft.reminder_due.v1"
    description: ClassVar[str] = (
        "An agency's draft is still unsubmitted and the campaign's submission window closes "
        "soon; sent once per draft and deadline."
    )

    draft_id: UUID  # the id the initiative will have once submitted
    campaign_year: CampaignYear
    agency_code: AgencyCode
    # The agency's contact address, from intake's reference data (as on InitiativeSubmitted).
    agency_email: EmailAddress | None = None
    title: ShortText | None = None  # a draft may not have its title yet
    submission_closes_on: date
    # The required content fields still missing (``title``, ``summary``, ...); empty when
    # the draft is complete but not submitted.
    missing_fields: list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] = []
    reminded_at: AwareDatetime

    def subject(self) -> str:
        return str(self.draft_id)


# The number and symbol of the Department's survey plan (Kế hoạch): "1582/KH-SNV".
PLAN_NUMBER_PATTERN = r"^[1-9]\d{0,5}/KH-[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*$"
PlanNumber = Annotated[str, StringConstraints(pattern=PLAN_NUMBER_PATTERN)]


class CampaignSettingsChangedV1(EventData):
    """A campaign's whole settings, as intake holds them: published when the campaign is
    opened and at every change of it. ``version`` grows by one at each change of that
    campaign: keep the state with the highest."""

    publisher: ClassVar[str] = "intake"
    routing_key: ClassVar[str] = "campaign.settings_changed.v1"
    schema_name: ClassVar[str] = "campaign.settings_changed.v1"
    description: ClassVar[str] = (
        "A campaign was opened or its settings changed (windows, the survey plan's number and "
        "date, whether the team's secretary scores); the event carries its whole settings."
    )

    campaign_year: CampaignYear
    version: Annotated[int, Field(ge=1)]
    title: ShortText
    submission_opens_on: date
    submission_closes_on: date
    survey_starts_on: date
    survey_ends_on: date
    # The Department's survey plan (Kế hoạch khảo sát) the documents cite; absent until the
    # campaign names it.
    plan_number: PlanNumber | None = None
    plan_signed_on: date | None = None
    # Whether the survey team's secretary (thư ký) scores the initiatives too.
    secretary_scores: bool = False
    changed_at: AwareDatetime

    def subject(self) -> str:
        return str(self.campaign_year)


class FieldErrorData(EventData):
    field: Annotated[str, StringConstraints(max_length=500)]
    message: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class InitiativeRejectedV1(EventData):
    publisher: ClassVar[str] = "intake"
    routing_key: ClassVar[str] = "initiative.rejected.v1"
    schema_name: ClassVar[str] = "initiative.rejected.v1"
    description: ClassVar[str] = (
        "An inbound message was refused; it names every fault and is parked for replay."
    )

    origin_source: str
    origin_id: str
    errors: list[FieldErrorData] = Field(min_length=1)
    # Added within v1 (optional): the campaign the refused message named, when readable,
    # so that a rejection is counted in that campaign rather than in the year it arrived.
    campaign_year: CampaignYear | None = None

    def subject(self) -> str:
        return self.origin_id


class TeamMember(EventData):
    member_id: MemberId
    name: ShortText
    role: TeamRole
    agency_code: AgencyCode
    # Added within v1 (optional): the member's address in scheduling's roster.
    email: EmailAddress | None = None
    # Added within v1 (optional): how documents address the member ("Bà") and their title
    # with their agency ("Phó Giám đốc Sở Nội vụ").
    honorific: ShortText | None = None
    position: ShortText | None = None


class Visit(EventData):
    visit_id: UUID
    initiative_id: UUID
    agency_code: AgencyCode
    date: date
    starts_at: time
    # Added within v1 (optional): where the visit takes place (the address of the meeting).
    place: ShortText | None = None


class RoundScheduledV1(EventData):
    publisher: ClassVar[str] = "scheduling"
    routing_key: ClassVar[str] = "round.scheduled.v1"
    schema_name: ClassVar[str] = "round.scheduled.v1"
    description: ClassVar[str] = "A survey round, its visits and its team were fixed and notified."

    round_id: UUID
    campaign_year: CampaignYear
    sequence: Annotated[int, Field(ge=1)]
    starts_on: date
    ends_on: date
    team: list[TeamMember] = Field(min_length=1)
    visits: list[Visit]
    # Added within v1 (optional): the round's version in scheduling, raised by every change;
    # it orders the states of one round (a calendar invitation's SEQUENCE follows it).
    version: Annotated[int, Field(ge=1)] | None = None

    def subject(self) -> str:
        return str(self.round_id)


class RoundRescheduledV1(RoundScheduledV1):
    """The whole new state of a round whose dates, team or visits changed after confirmation."""

    publisher: ClassVar[str] = "scheduling"
    routing_key: ClassVar[str] = "round.rescheduled.v1"
    schema_name: ClassVar[str] = "round.rescheduled.v1"
    description: ClassVar[str] = "A confirmed round was changed; the event carries its new state."

    reason: OptionalLongText = ""


class RoundCancelledV1(EventData):
    publisher: ClassVar[str] = "scheduling"
    routing_key: ClassVar[str] = "round.cancelled.v1"
    schema_name: ClassVar[str] = "round.cancelled.v1"
    description: ClassVar[str] = "A confirmed round was cancelled; its visits will not take place."

    round_id: UUID
    campaign_year: CampaignYear
    sequence: Annotated[int, Field(ge=1)]
    reason: OptionalLongText = ""
    cancelled_at: AwareDatetime
    version: Annotated[int, Field(ge=1)] | None = None  # added within v1, as on RoundScheduled

    def subject(self) -> str:
        return str(self.round_id)


class CriterionScore(EventData):
    criterion: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    score: Annotated[float, Field(ge=0)]
    max_score: Annotated[float, Field(gt=0)]


class EvaluationRecordedV1(EventData):
    publisher: ClassVar[str] = "evaluation"
    routing_key: ClassVar[str] = "evaluation.recorded.v1"
    schema_name: ClassVar[str] = "evaluation.recorded.v1"
    description: ClassVar[str] = "A team member's assessment of one initiative was recorded."

    evaluation_id: UUID
    initiative_id: UUID
    round_id: UUID
    visit_id: UUID
    evaluator_id: MemberId
    scores: list[CriterionScore] = Field(min_length=1)
    total: Score
    strengths: LongText
    limitations: LongText
    difficulties: LongText
    recommendation: Recommendation
    recorded_at: AwareDatetime

    def subject(self) -> str:
        return str(self.evaluation_id)


class ReplicationRecommendedV1(EventData):
    publisher: ClassVar[str] = "evaluation"
    routing_key: ClassVar[str] = "replication.recommended.v1"
    schema_name: ClassVar[str] = "replication.recommended.v1"
    description: ClassVar[str] = (
        "An initiative is recommended to the City People's Committee for recognition and "
        "replication."
    )

    initiative_id: UUID
    agency_code: AgencyCode
    title: ShortText
    kind: Kind
    par_area: ParArea
    final_score: Score
    evaluation_count: Annotated[int, Field(ge=1)]
    scope: Scope
    rationale: LongText
    decided_at: AwareDatetime
    campaign_year: CampaignYear

    def subject(self) -> str:
        return str(self.initiative_id)


class SelectionDecidedV1(EventData):
    """Every selection decision, including ``improve`` and ``not_recommended``, so reporting
    can show the whole outcome; a ``replicate`` decision is also announced, unchanged, as
    ReplicationRecommendedV1."""

    publisher: ClassVar[str] = "evaluation"
    routing_key: ClassVar[str] = "selection.decided.v1"
    schema_name: ClassVar[str] = "selection.decided.v1"
    description: ClassVar[str] = (
        "The Department decided on an initiative: recommended for replication, to be "
        "improved, or not recommended."
    )

    initiative_id: UUID
    campaign_year: CampaignYear
    agency_code: AgencyCode
    title: ShortText
    kind: Kind
    par_area: ParArea
    decision: Recommendation
    scope: Scope | None = None
    final_score: Score
    evaluation_count: Annotated[int, Field(ge=1)]
    rationale: LongText
    overridden: bool = False
    decided_at: AwareDatetime

    def subject(self) -> str:
        return str(self.initiative_id)


class ParIndexRuleData(EventData):
    """The rule a PAR-Index contribution was computed under (the evaluation service's
    settings), so that a reader can state it without keeping a copy of it."""

    per_submitted: Annotated[float, Field(ge=0)]
    per_surveyed: Annotated[float, Field(ge=0)]
    per_recommended: Annotated[float, Field(ge=0)]
    cap: Annotated[float, Field(ge=0)]
    district_counts_wards: bool
    final_score_method: FinalScoreMethod
    # Added within v1: points per model recognised in the previous campaign that the unit
    # (or, when districts count their wards, one of its wards) reported as adopted.
    per_adopted: Annotated[float, Field(ge=0)] = 0.0


class ParIndexContributionUpdatedV1(EventData):
    """The whole new state of one unit's contribution to the PAR Index of one campaign,
    computed by the evaluation service (the rule's only home). Published in the same
    transaction as the change that altered it; ``version`` orders the states of one
    (campaign, unit): keep the highest."""

    publisher: ClassVar[str] = "evaluation"
    routing_key: ClassVar[str] = "par_index_contribution.updated.v1"
    schema_name: ClassVar[str] = "par_index_contribution.updated.v1"
    description: ClassVar[str] = (
        "The PAR-Index contribution of a city department, vertical agency, Thủ Đức City or "
        "district in a campaign changed; the event carries its whole new state."
    )

    campaign_year: CampaignYear
    agency_code: AgencyCode
    version: Annotated[int, Field(ge=1)]
    submitted: Annotated[int, Field(ge=0)]
    surveyed: Annotated[int, Field(ge=0)]
    recommended: Annotated[int, Field(ge=0)]
    mean_score: Score | None
    points: Annotated[float, Field(ge=0)]
    rule: ParIndexRuleData
    computed_at: AwareDatetime
    # Added within v1: the previous campaign's recognised models the unit adopted.
    adopted: Annotated[int, Field(ge=0)] = 0

    def subject(self) -> str:
        return f"{self.campaign_year}/{self.agency_code}"


# What an agency may report: ten years to process a case, a hundred million cases a quarter.
MAX_PROCESSING_DAYS = 3650
MAX_CASES_HANDLED = 100_000_000
DecisionNumber = Annotated[str, StringConstraints(min_length=3, max_length=40)]
# A quarter of a year, as the agencies report on them: "2024-Q1".
Quarter = Annotated[str, StringConstraints(pattern=QUARTER_PATTERN)]
Percent = Annotated[float, Field(ge=0, le=100)]
ProcessingDays = Annotated[float, Field(ge=0, le=MAX_PROCESSING_DAYS)]
CasesHandled = Annotated[int, Field(ge=0, le=MAX_CASES_HANDLED)]


class RecognisedModelData(EventData):
    """One initiative the Quyết định recognises, where it is to be replicated and by when."""

    initiative_id: UUID
    campaign_year: CampaignYear
    agency_code: AgencyCode  # the agency whose initiative it was
    title: ShortText
    kind: Kind
    par_area: ParArea
    scope: ReplicationScope
    targets: list[AgencyCode] = Field(min_length=1)  # resolved: every agency that must adopt it
    deadline: date


class ReplicationDecidedV1(EventData):
    """The People's Committee's Quyết định on the recommended initiatives, as the PAR office
    recorded it: the recognised ones, each with its scope, its target agencies (resolved from
    the reference data) and its deadline."""

    publisher: ClassVar[str] = "replication"
    routing_key: ClassVar[str] = "replication.decided.v1"
    schema_name: ClassVar[str] = "replication.decided.v1"
    description: ClassVar[str] = (
        "The Chairman of the City People's Committee decided which recommended initiatives "
        "are recognised, and which agencies must replicate each one by when."
    )

    decision_id: UUID
    decision_number: DecisionNumber
    signed_on: date
    signer_name: ShortText
    signer_title: ShortText
    campaign_year: CampaignYear
    models: list[RecognisedModelData] = Field(min_length=1)
    recorded_at: AwareDatetime

    def subject(self) -> str:
        return str(self.decision_id)


class AdoptionIndicatorsData(EventData):
    """What the model changed at the agency, measured over ``measured_from``-``measured_to``;
    every indicator is optional (an agency reports what it measures)."""

    measured_from: date | None = None
    measured_to: date | None = None
    processing_days_before: ProcessingDays | None = None
    processing_days_after: ProcessingDays | None = None
    satisfaction_percent: Percent | None = None
    cases_handled: CasesHandled | None = None


class EvidenceFileData(BaseModel):
    """One evidence file attached to an adoption report (added within v1)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    evidence_id: UUID
    filename: ShortText  # the display name (directories and control characters removed)
    media_type: str  # recognised by the file's content: PDF, DOCX, PNG, JPEG or WebP
    size: Annotated[int, Field(ge=1)]  # bytes
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    # Where to download it from the replication service (GET, with a token of someone who
    # may read the report: the agency itself, the PAR office, the People's Committee).
    download_path: Annotated[str, StringConstraints(max_length=300)]


class AdoptionReportedV1(EventData):
    """One target agency's report for one quarter on one model it must adopt. An amendment of
    the same quarter carries a higher ``revision`` and replaces the earlier figures; every
    revision is kept by the replication service (the history is the record)."""

    publisher: ClassVar[str] = "replication"
    routing_key: ClassVar[str] = "adoption.reported.v1"
    schema_name: ClassVar[str] = "adoption.reported.v1"
    description: ClassVar[str] = (
        "A target agency reported, for one quarter, where it stands with a recognised model: "
        "its status, how it adapted it and the results; an amendment carries a higher revision."
    )

    report_id: UUID
    decision_id: UUID
    initiative_id: UUID
    agency_code: AgencyCode
    quarter: Quarter
    revision: Annotated[int, Field(ge=1)]
    status: AdoptionStatus
    reason: OptionalLongText = ""  # why the model does not suit the agency (not_suitable)
    started_on: date | None = None
    adaptation: OptionalLongText = ""
    indicators: AdoptionIndicatorsData = AdoptionIndicatorsData()
    # Added within v1 (optional): the evidence attached to this revision (empty: none).
    evidence: list[EvidenceFileData] = []
    late: bool = False  # reported after the quarter's due date
    reported_at: AwareDatetime

    def subject(self) -> str:
        return f"{self.initiative_id}/{self.agency_code}"


EVENTS: tuple[type[EventData], ...] = (
    InitiativeSubmittedV1,
    InboundInitiativeSubmittedV1,
    InitiativeAmendedV1,
    InitiativeWithdrawnV1,
    InitiativeRejectedV1,
    DraftReminderDueV1,
    CampaignSettingsChangedV1,
    RoundScheduledV1,
    RoundRescheduledV1,
    RoundCancelledV1,
    EvaluationRecordedV1,
    ReplicationRecommendedV1,
    SelectionDecidedV1,
    ParIndexContributionUpdatedV1,
    ReplicationDecidedV1,
    AdoptionReportedV1,
)

_BY_EXCHANGE_AND_TYPE: dict[tuple[str, str], type[EventData]] = {
    (event.exchange, event.event_type()): event for event in EVENTS
}


def event_for_type(event_type: str, exchange: str = EVENTS_EXCHANGE) -> type[EventData] | None:
    """The data model for a CloudEvents ``type`` as published on ``exchange``."""
    return _BY_EXCHANGE_AND_TYPE.get((exchange, event_type))
