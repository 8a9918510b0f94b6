"""What the outside world asks of intake. Entry points build these; handlers carry them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Actor:
    """Who acts. ``agency_code`` binds an agency's staff to their agency; None means the
    secretariat or an admin, who act for any agency."""

    subject: str
    agency_code: str | None = None
    name: str | None = None  # the display name, for the audit log
    sees_drafts: bool = True  # the Committee never sees an agency's unsubmitted drafts

    def may_access(self, agency_code: str) -> bool:
        return self.agency_code is None or self.agency_code == agency_code


@dataclass(frozen=True)
class SubmitInitiative:
    actor: Actor
    agency_code: str
    kind: str
    title: str
    summary: str
    par_area: str
    applied_since: date
    results: str
    limitations: str = ""
    campaign_year: int | None = None  # None: the campaign taking submissions today
    # The earlier campaign's initiative it builds on: a ``{initiative_id, relation}``
    # mapping as given (the domain parses it), or None.
    builds_on: Any = None


@dataclass(frozen=True)
class AmendInitiative:
    actor: Actor
    initiative_id: UUID
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WithdrawInitiative:
    actor: Actor
    initiative_id: UUID
    reason: str = ""


@dataclass(frozen=True)
class SaveDraft:
    actor: Actor
    agency_code: str
    fields: dict[str, Any] = field(default_factory=dict)  # only the fields given
    campaign_year: int | None = None


@dataclass(frozen=True)
class ChangeDraft:
    actor: Actor
    draft_id: UUID
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmitDraft:
    actor: Actor
    draft_id: UUID


@dataclass(frozen=True)
class DiscardDraft:
    actor: Actor
    draft_id: UUID


@dataclass(frozen=True)
class CreateCampaign:
    actor: Actor
    year: int
    submission_opens_on: date
    submission_closes_on: date
    survey_starts_on: date
    survey_ends_on: date
    title: str | None = None
    plan_number: str | None = None
    plan_signed_on: date | None = None
    secretary_scores: bool = False


@dataclass(frozen=True)
class ChangeCampaign:
    actor: Actor
    year: int
    title: str | None = None
    submission_opens_on: date | None = None
    submission_closes_on: date | None = None
    survey_starts_on: date | None = None
    survey_ends_on: date | None = None
    plan_number: str | None = None
    plan_signed_on: date | None = None
    secretary_scores: bool | None = None
