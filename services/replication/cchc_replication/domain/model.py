"""The replication domain: the initiatives recommended for replication (candidates), the
People's Committee's Quyết định that recognises some of them with their target agencies and
deadlines, and the agencies' quarterly adoption reports, every revision kept.

Pure: no I/O, no clock (the moment of an act is given)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from cchc_shared.contracts.quarters import Quarter
from cchc_shared.contracts.vocabulary import AdoptionStatus, ReplicationScope


@dataclass(frozen=True)
class Candidate:
    """An initiative the Department recommended to the People's Committee
    (ReplicationRecommended): only these may be recognised."""

    initiative_id: UUID
    campaign_year: int
    agency_code: str
    title: str
    kind: str
    par_area: str
    scope: str
    final_score: float
    recommended_at: datetime


@dataclass(frozen=True)
class TargetSelection:
    """Who must adopt a model, as the Quyết định names them: every district-level unit,
    every ward of some districts, and named agencies (any combination)."""

    all_districts: bool = False
    wards_of: tuple[str, ...] = ()
    agency_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecognisedModel:
    initiative_id: UUID
    decision_id: UUID
    campaign_year: int
    agency_code: str
    title: str
    kind: str
    par_area: str
    scope: ReplicationScope
    targets: tuple[str, ...]
    deadline: date


@dataclass(frozen=True)
class Decision:
    """The Quyết định as the PAR office recorded it."""

    decision_id: UUID
    decision_number: str
    signed_on: date
    signer_name: str
    signer_title: str
    campaign_year: int
    models: tuple[RecognisedModel, ...]
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class Indicators:
    measured_from: date | None = None
    measured_to: date | None = None
    processing_days_before: float | None = None
    processing_days_after: float | None = None
    satisfaction_percent: float | None = None
    cases_handled: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "measured_from": self.measured_from.isoformat() if self.measured_from else None,
            "measured_to": self.measured_to.isoformat() if self.measured_to else None,
            "processing_days_before": self.processing_days_before,
            "processing_days_after": self.processing_days_after,
            "satisfaction_percent": self.satisfaction_percent,
            "cases_handled": self.cases_handled,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Indicators:
        def day(key: str) -> date | None:
            value = values.get(key)
            return date.fromisoformat(value) if value else None

        def number(key: str) -> float | None:
            value = values.get(key)
            return None if value is None else float(value)

        cases = values.get("cases_handled")
        return cls(
            measured_from=day("measured_from"),
            measured_to=day("measured_to"),
            processing_days_before=number("processing_days_before"),
            processing_days_after=number("processing_days_after"),
            satisfaction_percent=number("satisfaction_percent"),
            cases_handled=None if cases is None else int(cases),
        )


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file an agency uploaded for its reports on one model (stored by this
    service; a report names the ones it attaches)."""

    evidence_id: UUID
    initiative_id: UUID
    agency_code: str
    filename: str
    media_type: str
    size: int
    sha256: str
    storage_key: str
    uploaded_at: datetime
    uploaded_by: str

    @property
    def download_path(self) -> str:
        return evidence_path(self.initiative_id, self.agency_code, self.evidence_id)


def evidence_path(initiative_id: UUID, agency_code: str, evidence_id: UUID) -> str:
    return f"/api/v1/models/{initiative_id}/agencies/{agency_code}/evidence/{evidence_id}"


@dataclass(frozen=True)
class AttachedEvidence:
    """An evidence file as a report attaches it: two reports attaching the same files have
    the same content."""

    evidence_id: UUID
    filename: str
    media_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, file: EvidenceFile) -> AttachedEvidence:
        return cls(file.evidence_id, file.filename, file.media_type, file.size, file.sha256)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> AttachedEvidence:
        return cls(
            UUID(values["evidence_id"]),
            values["filename"],
            values["media_type"],
            int(values["size"]),
            values["sha256"],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "evidence_id": str(self.evidence_id),
            "filename": self.filename,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class ReportContent:
    """What an agency says in one quarter's report: two reports with equal content are the
    same report (a repeat changes nothing)."""

    status: AdoptionStatus
    reason: str = ""
    started_on: date | None = None
    adaptation: str = ""
    indicators: Indicators = field(default_factory=Indicators)
    evidence: tuple[AttachedEvidence, ...] = ()  # the evidence files attached, in order


@dataclass(frozen=True)
class AdoptionReport:
    """One revision of one agency's report on one model for one quarter."""

    report_id: UUID
    decision_id: UUID
    initiative_id: UUID
    agency_code: str
    quarter: Quarter
    revision: int
    content: ReportContent
    late: bool
    reported_at: datetime
    reported_by: str
