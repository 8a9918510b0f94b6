"""The intake domain: campaigns with their windows, initiatives and their attachments.

Pure: no I/O, no clock (callers pass ``now``/``today``). Text is normalised as the kit's
``cchc_shared.contracts.text`` says (format characters removed, NFKC, NFC) and refused when it
holds control characters, so it is what it looks like and SQLite and PostgreSQL store the same
data.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from cchc_intake.domain.contacts import agency_email
from cchc_shared.contracts import (
    CampaignSettingsChangedV1,
    DraftReminderDueV1,
    EventData,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.contracts.events import KINDS, PAR_AREAS, PLAN_NUMBER_PATTERN, BuildsOnData
from cchc_shared.contracts.text import clean_text, skeleton
from cchc_shared.contracts.vocabulary import BUILDS_ON_RELATION_NAMES_VI, BUILDS_ON_RELATIONS
from cchc_shared.errors import Conflict, Fault, InvalidInput

# Vietnam keeps UTC+7 all year (no daylight saving): "today" is the date in Ho Chi Minh City.
HCMC_TZ: Final = timezone(timedelta(hours=7), "ICT")

TITLE_MAX: Final = 300
TEXT_MAX: Final = 20_000
REASON_MAX: Final = 2_000

KIND_NAMES_VI: Final[dict[str, str]] = {
    "model": "mô hình",
    "solution": "giải pháp",
    "initiative": "sáng kiến",
}


def local_date(moment: datetime) -> date:
    return moment.astimezone(HCMC_TZ).date()


def vn_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def title_key(title: str) -> str:
    """What two titles are compared by: no case, spacing, diacritics or invisible characters,
    and letters of other scripts that look like Latin ones read as those (the kit's
    ``skeleton``)."""
    return skeleton(title)


def _forbidden_character(value: str, multiline: bool) -> str | None:
    allowed = "\t\n\r" if multiline else ""
    return next(
        (ch for ch in value if unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed),
        None,
    )


def clean_field(
    name: str,
    value: str,
    faults: list[Fault],
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = True,
) -> str:
    """NFC-normalised, stripped ``value``; appends a fault to ``faults`` when it breaks a rule."""
    try:
        cleaned = clean_text(value, multiline=multiline).strip()
    except ValueError:
        ch = _forbidden_character(value, multiline) or "\x00"
        faults.append(
            Fault(
                name,
                f"Chứa ký tự điều khiển không được phép (U+{ord(ch):04X})"
                + ("" if multiline else "; không được xuống dòng"),
                f"contains a forbidden control character (U+{ord(ch):04X})"
                + ("" if multiline else "; line breaks are not allowed"),
            )
        )
        return value
    if required and not cleaned:
        faults.append(Fault(name, "Không được để trống", "must not be empty"))
    elif len(cleaned) > max_length:
        faults.append(
            Fault(
                name,
                f"Dài quá {max_length} ký tự (hiện có {len(cleaned)})",
                f"longer than {max_length} characters ({len(cleaned)})",
            )
        )
    return cleaned


class Status(StrEnum):
    DRAFT = "draft"  # a Draft's status in lists; never an Initiative's
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class BuildsOn:
    """The initiative of an earlier campaign year that this one builds on, and how: the
    lineage across years. Whether the earlier one exists and is earlier is checked against
    the repository (:func:`lineage_faults`)."""

    initiative_id: UUID
    relation: str

    @classmethod
    def parse(cls, value: Any, faults: list[Fault]) -> BuildsOn | None:
        """``value`` as given (None, a mapping, an event's ``BuildsOnData`` or a BuildsOn),
        with a fault per bad part."""
        if value is None or isinstance(value, BuildsOn):
            return value
        if isinstance(value, BuildsOnData):
            return cls(value.initiative_id, value.relation)
        if not isinstance(value, dict):
            faults.append(
                Fault(
                    "builds_on",
                    "Phải gồm mã đề xuất kế thừa (initiative_id) và hình thức (relation)",
                    "must be an object with initiative_id and relation",
                )
            )
            return None
        raw_id, relation = value.get("initiative_id"), value.get("relation")
        initiative_id: UUID | None = None
        if isinstance(raw_id, UUID):
            initiative_id = raw_id
        elif not raw_id:
            faults.append(
                Fault(
                    "builds_on.initiative_id",
                    "Cần mã của đề xuất năm trước được kế thừa",
                    "the earlier initiative's id is required",
                )
            )
        else:
            try:
                initiative_id = UUID(str(raw_id).strip())
            except ValueError:
                faults.append(
                    Fault(
                        "builds_on.initiative_id",
                        "Mã đề xuất không hợp lệ (phải là mã định danh UUID, như trên trang "
                        "của đề xuất năm trước)",
                        "not a valid initiative id (a UUID)",
                    )
                )
        if relation not in BUILDS_ON_RELATIONS:
            allowed = ", ".join(
                f"{r} ({BUILDS_ON_RELATION_NAMES_VI[r]})" for r in BUILDS_ON_RELATIONS
            )
            faults.append(
                Fault(
                    "builds_on.relation",
                    f"Hình thức kế thừa phải là một trong: {allowed}",
                    f"relation must be one of: {', '.join(BUILDS_ON_RELATIONS)}",
                )
            )
            return None
        return None if initiative_id is None else cls(initiative_id, relation)

    def as_event(self) -> BuildsOnData:
        return BuildsOnData(initiative_id=self.initiative_id, relation=self.relation)


def lineage_faults(
    builds_on: BuildsOn,
    earlier: Initiative | None,
    *,
    own_id: UUID | None,
    campaign_year: int,
    agency_code: str,
) -> list[Fault]:
    """Why ``builds_on`` cannot be the lineage of an initiative of ``agency_code`` in
    ``campaign_year`` (``own_id``: its id, None while it has none): the earlier initiative
    must exist, be another one, of an earlier campaign year; a resubmission is of the
    agency's own initiative, an adoption of another agency's model."""
    field_id = "builds_on.initiative_id"
    if own_id is not None and builds_on.initiative_id == own_id:
        return [Fault(field_id, "Đề xuất không thể kế thừa chính nó", "cannot build on itself")]
    if earlier is None:
        return [
            Fault(
                field_id,
                f"Không tìm thấy đề xuất có mã {builds_on.initiative_id}",
                f"no initiative {builds_on.initiative_id}",
            )
        ]
    if earlier.campaign_year >= campaign_year:
        return [
            Fault(
                field_id,
                f"Đề xuất được kế thừa phải thuộc đợt của năm trước năm {campaign_year}; "
                f"đề xuất này thuộc năm {earlier.campaign_year}",
                f"the earlier initiative must be of a campaign before {campaign_year}; "
                f"it is of {earlier.campaign_year}",
            )
        ]
    if builds_on.relation == "resubmission" and earlier.agency_code != agency_code:
        return [
            Fault(
                "builds_on.relation",
                "Chỉ được đề xuất lại mô hình, giải pháp của chính đơn vị; với mô hình của "
                "đơn vị khác, chọn “Áp dụng mô hình đã được công nhận” hoặc “Cải tiến, hoàn thiện”",
                "a resubmission must be of the agency's own initiative",
            )
        ]
    if builds_on.relation == "adoption" and earlier.agency_code == agency_code:
        return [
            Fault(
                "builds_on.relation",
                "Áp dụng mô hình là áp dụng mô hình của đơn vị khác; với mô hình của chính "
                "đơn vị, chọn “Đề xuất lại” hoặc “Cải tiến, hoàn thiện”",
                "an adoption must be of another agency's model",
            )
        ]
    return []


@dataclass(frozen=True)
class Content:
    """What the agency says about its initiative; the part an amendment may change."""

    kind: str
    title: str
    summary: str
    par_area: str
    applied_since: date
    results: str
    limitations: str = ""
    builds_on: BuildsOn | None = None  # the lineage across years, when it has one

    @classmethod
    def parse(
        cls,
        *,
        kind: str,
        title: str,
        summary: str,
        par_area: str,
        applied_since: date,
        results: str,
        limitations: str,
        today: date,
        builds_on: Any = None,
    ) -> Content:
        """Validated, normalised content; InvalidInput names every fault."""
        faults: list[Fault] = []
        given = {
            "kind": kind,
            "title": title,
            "summary": summary,
            "par_area": par_area,
            "applied_since": applied_since,
            "results": results,
            "limitations": limitations,
            "builds_on": builds_on,
        }
        content = cls(**check_fields(given, today, faults, partial=False))
        if faults:
            raise InvalidInput(*faults)
        return content

    def changed(self, today: date, **changes: str | date) -> Content:
        """This content with ``changes`` applied, validated as a whole."""
        merged = replace(self, **changes)  # type: ignore[arg-type]
        return Content.parse(
            kind=merged.kind,
            title=merged.title,
            summary=merged.summary,
            par_area=merged.par_area,
            applied_since=merged.applied_since,
            results=merged.results,
            limitations=merged.limitations,
            builds_on=merged.builds_on,
            today=today,
        )

    def values(self) -> dict[str, object]:
        """The content's fields by name, as events, rows and commands name them."""
        return {name: getattr(self, name) for name in CONTENT_FIELDS}

    @property
    def title_key(self) -> str:
        return title_key(self.title)


CONTENT_FIELDS: Final = tuple(f.name for f in dataclasses.fields(Content))

# What a submission must say; ``limitations`` may stay empty, ``builds_on`` absent.
REQUIRED_FIELDS: Final = tuple(
    name for name in CONTENT_FIELDS if name not in ("limitations", "builds_on")
)


def check_fields(
    given: dict[str, Any], today: date, faults: list[Fault], *, partial: bool
) -> dict[str, Any]:
    """The content fields in ``given``, normalised, with a fault per bad value. ``partial``
    (a draft) checks only the format of what is given: an empty text is allowed there."""
    checked: dict[str, Any] = {}
    for name in ("title", "summary", "results", "limitations"):
        if name in given:
            checked[name] = clean_field(
                name,
                given[name],
                faults,
                max_length=TITLE_MAX if name == "title" else TEXT_MAX,
                required=not partial and name != "limitations",
                multiline=name != "title",
            )
    kind = given.get("kind")
    if "kind" in given:
        checked["kind"] = kind
        if kind not in KINDS:
            allowed = ", ".join(f"{k} ({KIND_NAMES_VI[k]})" for k in KINDS)
            faults.append(
                Fault(
                    "kind", f"Loại phải là một trong: {allowed}", f"kind must be one of: {allowed}"
                )
            )
    if "par_area" in given:
        checked["par_area"] = given["par_area"]
        if given["par_area"] not in PAR_AREAS:
            allowed = ", ".join(PAR_AREAS)
            faults.append(
                Fault(
                    "par_area",
                    f"Lĩnh vực CCHC không có trong danh mục; chọn một trong: {allowed}",
                    f"unknown PAR area; expected one of: {allowed}",
                )
            )
    if "applied_since" in given:
        checked["applied_since"] = given["applied_since"]
        if given["applied_since"] > today:
            faults.append(
                Fault(
                    "applied_since",
                    f"Ngày bắt đầu áp dụng không được ở tương lai (sau {vn_date(today)})",
                    f"must not be in the future (after {today.isoformat()})",
                )
            )
    if "builds_on" in given:
        checked["builds_on"] = BuildsOn.parse(given["builds_on"], faults)
    return {name: checked[name] for name in CONTENT_FIELDS if name in checked}


def missing_fields(given: dict[str, Any]) -> list[Fault]:
    """A fault for every required field a draft has not filled in yet."""
    return [
        Fault(name, "Thiếu thông tin bắt buộc", "is required")
        for name in REQUIRED_FIELDS
        if given.get(name) in (None, "")
    ]


@dataclass
class Draft:
    """An initiative the agency is still writing: saved, not submitted. Kept apart from
    ``Initiative`` (its own table) so that every initiative keeps complete content and no
    other service, event or rule ever sees an incomplete one; on submit it becomes an
    initiative with the same id."""

    id: UUID
    agency_code: str
    fields: dict[str, Any]  # the content fields given so far, format-checked
    created_at: datetime
    created_by: str
    campaign_year: int | None = None  # None: the campaign taking submissions on submit
    updated_at: datetime | None = None
    version: int = 1

    @classmethod
    def start(
        cls,
        *,
        draft_id: UUID,
        agency_code: str,
        campaign_year: int | None,
        given: dict[str, Any],
        now: datetime,
        created_by: str,
    ) -> Draft:
        faults: list[Fault] = []
        fields = check_fields(given, local_date(now), faults, partial=True)
        if faults:
            raise InvalidInput(*faults)
        return cls(draft_id, agency_code, fields, now, created_by, campaign_year)

    def change(self, given: dict[str, Any], now: datetime) -> bool:
        """Apply the fields given; False when nothing changed."""
        faults: list[Fault] = []
        checked = check_fields(given, local_date(now), faults, partial=True)
        if faults:
            raise InvalidInput(*faults)
        merged = {**self.fields, **checked}
        if merged == self.fields:
            return False
        self.fields = {name: merged[name] for name in CONTENT_FIELDS if name in merged}
        self.updated_at = now
        self.version += 1
        return True

    def completed(self, today: date) -> Content:
        """The full content for submission; InvalidInput names every missing or bad field."""
        faults = missing_fields(self.fields)
        if faults:
            raise InvalidInput(*faults)
        return Content.parse(**{"limitations": "", **self.fields}, today=today)

    def reminder(self, campaign: Campaign, now: datetime) -> DraftReminderDueV1:
        """What the agency is reminded of: the draft as it stands and the deadline."""
        title = self.fields.get("title") or None
        return DraftReminderDueV1(
            draft_id=self.id,
            campaign_year=campaign.year,
            agency_code=self.agency_code,
            agency_email=agency_email(self.agency_code),
            title=title,
            submission_closes_on=campaign.submission_closes_on,
            missing_fields=[fault.field for fault in missing_fields(self.fields)],
            reminded_at=now,
        )


@dataclass
class Campaign:
    """One year's campaign: agencies submit within the submission window; the survey
    rounds take place within the survey window. The survey plan (Kế hoạch khảo sát) the
    documents cite has its number and signing date here, and the campaign says whether the
    survey team's secretary scores. ``version`` grows by one at each change: every state is
    announced (CampaignSettingsChanged) so that the other services keep the newest."""

    year: int
    title: str
    submission_opens_on: date
    submission_closes_on: date
    survey_starts_on: date
    survey_ends_on: date
    plan_number: str | None = None
    plan_signed_on: date | None = None
    secretary_scores: bool = False
    version: int = 1

    def __post_init__(self) -> None:
        faults: list[Fault] = []
        if not 2000 <= self.year <= 2100:
            faults.append(Fault("year", "Năm phải từ 2000 đến 2100", "year must be 2000-2100"))
        self.title = clean_field("title", self.title, faults, max_length=TITLE_MAX, multiline=False)
        if self.submission_opens_on > self.submission_closes_on:
            faults.append(
                Fault(
                    "submission_closes_on",
                    "Ngày kết thúc nhận đề xuất phải sau hoặc bằng ngày bắt đầu",
                    "the submission window must close on or after the day it opens",
                )
            )
        if self.survey_starts_on > self.survey_ends_on:
            faults.append(
                Fault(
                    "survey_ends_on",
                    "Ngày kết thúc khảo sát phải sau hoặc bằng ngày bắt đầu",
                    "the survey window must end on or after the day it starts",
                )
            )
        if self.survey_ends_on < self.submission_opens_on:
            faults.append(
                Fault(
                    "survey_ends_on",
                    "Thời gian khảo sát phải kết thúc sau khi bắt đầu nhận đề xuất",
                    "the survey window must end after the submission window opens",
                )
            )
        faults += self._check_plan()
        if faults:
            raise InvalidInput(*faults)

    def _check_plan(self) -> list[Fault]:
        """The survey plan is cited by number and date together: both or neither; the number
        written as the Department numbers its plans, the plan signed before the survey."""
        faults: list[Fault] = []
        if self.plan_number is not None:
            self.plan_number = clean_field(
                "plan_number", self.plan_number, faults, max_length=40, multiline=False
            )
            if not faults and not re.fullmatch(PLAN_NUMBER_PATTERN, self.plan_number):
                faults.append(
                    Fault(
                        "plan_number",
                        f"Số Kế hoạch “{self.plan_number}” không đúng dạng số/ký hiệu văn bản, "
                        "ví dụ “1582/KH-SNV” (số, dấu “/”, “KH-” và chữ viết tắt tên cơ quan "
                        "ban hành, viết hoa)",
                        f"plan number {self.plan_number!r} is not a document number such as "
                        "'1582/KH-SNV' (a number, '/', 'KH-' and the issuing body's initials "
                        "in capitals)",
                    )
                )
        if self.plan_number and self.plan_signed_on is None:
            faults.append(
                Fault(
                    "plan_signed_on",
                    "Thiếu ngày ban hành Kế hoạch: Kế hoạch được trích dẫn bằng cả số và ngày",
                    "the plan's signing date is required with its number",
                )
            )
        if self.plan_signed_on is not None and not self.plan_number:
            faults.append(
                Fault(
                    "plan_number",
                    "Thiếu số Kế hoạch: Kế hoạch được trích dẫn bằng cả số và ngày",
                    "the plan's number is required with its signing date",
                )
            )
        if self.plan_signed_on is not None and self.plan_signed_on > self.survey_starts_on:
            faults.append(
                Fault(
                    "plan_signed_on",
                    f"Ngày ban hành Kế hoạch ({vn_date(self.plan_signed_on)}) không được sau "
                    f"ngày bắt đầu khảo sát ({vn_date(self.survey_starts_on)})",
                    f"the plan is dated {self.plan_signed_on.isoformat()}, after the survey "
                    f"starts ({self.survey_starts_on.isoformat()})",
                )
            )
        return faults

    def settings_changed(self, now: datetime) -> CampaignSettingsChangedV1:
        """The event announcing this state of the campaign's settings."""
        return CampaignSettingsChangedV1(
            campaign_year=self.year,
            version=self.version,
            title=self.title,
            submission_opens_on=self.submission_opens_on,
            submission_closes_on=self.submission_closes_on,
            survey_starts_on=self.survey_starts_on,
            survey_ends_on=self.survey_ends_on,
            plan_number=self.plan_number,
            plan_signed_on=self.plan_signed_on,
            secretary_scores=self.secretary_scores,
            changed_at=now,
        )

    @classmethod
    def default_title(cls, year: int) -> str:
        return f"Khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính năm {year}"

    def accepts_submissions_on(self, day: date) -> bool:
        return self.submission_opens_on <= day <= self.submission_closes_on

    def draft_reminder_due_on(self, day: date, days_before: int) -> bool:
        """Whether ``day`` falls in the reminder window of the unsubmitted drafts: from
        ``days_before`` days before the submission window closes to the day it closes, and
        never before it opens (a reminder after the deadline could not be acted on)."""
        opens = max(self.submission_opens_on, self.submission_closes_on - timedelta(days_before))
        return opens <= day <= self.submission_closes_on

    def window_text(self) -> tuple[str, str]:
        return (
            f"từ {vn_date(self.submission_opens_on)} đến {vn_date(self.submission_closes_on)}",
            f"from {self.submission_opens_on.isoformat()} to "
            f"{self.submission_closes_on.isoformat()}",
        )

    def refuse_submission(self, day: date) -> InvalidInput | None:
        """Why a submission made on ``day`` is refused, or None when the window is open."""
        if self.accepts_submissions_on(day):
            return None
        vi, en = self.window_text()
        return InvalidInput(
            Fault(
                "campaign_year",
                f"Đợt năm {self.year} chỉ nhận đề xuất {vi}; ngày {vn_date(day)} nằm ngoài thời "
                "hạn",
                f"the {self.year} campaign accepts submissions {en}; {day.isoformat()} is "
                "outside that window",
            )
        )

    def change(self, **changes: Any) -> Campaign:
        """A validated copy with ``changes`` applied (a ``None`` leaves the setting as it
        is), at the next version; the campaign itself when nothing differs."""
        given = {name: value for name, value in changes.items() if value is not None}
        changed = replace(self, **given)
        if changed == self:
            return self
        return replace(changed, version=self.version + 1)


@dataclass(frozen=True)
class Origin:
    """Where an initiative came from when another platform published it."""

    source: str
    id: str


@dataclass
class Initiative:
    """The aggregate: one agency's proposal in one campaign. Changes record the public
    events they cause in ``events``; the unit of work publishes them with the change."""

    id: UUID
    campaign_year: int
    agency_code: str
    content: Content
    submitted_at: datetime
    submitted_by: str
    status: Status = Status.SUBMITTED
    origin: Origin | None = None
    amended_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = ""
    version: int = 1
    events: list[EventData] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def submit(
        cls,
        *,
        initiative_id: UUID,
        campaign: Campaign,
        agency_code: str,
        content: Content,
        submitted_at: datetime,
        submitted_by: str,
        origin: Origin | None = None,
    ) -> Initiative:
        refusal = campaign.refuse_submission(local_date(submitted_at))
        if refusal is not None:
            raise refusal
        initiative = cls(
            id=initiative_id,
            campaign_year=campaign.year,
            agency_code=agency_code,
            content=content,
            submitted_at=submitted_at,
            submitted_by=submitted_by,
            origin=origin,
        )
        initiative.events.append(
            InitiativeSubmittedV1(initiative_id=initiative.id, **initiative._event_fields())
        )
        return initiative

    @property
    def is_withdrawn(self) -> bool:
        return self.status is Status.WITHDRAWN

    def ensure_active(self) -> None:
        if self.is_withdrawn:
            raise Conflict(
                Fault("status", "Đề xuất đã được rút", "the initiative has been withdrawn")
            )

    def ensure_amendable(self, campaign: Campaign, now: datetime) -> None:
        self.ensure_active()
        if not campaign.accepts_submissions_on(local_date(now)):
            vi, en = campaign.window_text()
            raise Conflict(
                Fault(
                    "campaign_year",
                    f"Chỉ được chỉnh sửa đề xuất khi đợt năm {campaign.year} còn nhận đề xuất "
                    f"({vi})",
                    f"an initiative can be amended only while the {campaign.year} campaign "
                    f"takes submissions ({en})",
                )
            )

    def amend(self, content: Content, campaign: Campaign, now: datetime) -> bool:
        """Replace the content while the campaign takes submissions; False if nothing changed."""
        self.ensure_amendable(campaign, now)
        if content == self.content:
            return False
        self.content = content
        self.amended_at = now
        self.version += 1
        self.events.append(
            InitiativeAmendedV1(initiative_id=self.id, amended_at=now, **self._event_fields())
        )
        return True

    def withdraw(self, reason: str, now: datetime) -> None:
        self.ensure_active()
        faults: list[Fault] = []
        reason = clean_field("reason", reason, faults, max_length=REASON_MAX, required=False)
        if faults:
            raise InvalidInput(*faults)
        self.status = Status.WITHDRAWN
        self.withdrawn_at = now
        self.withdrawal_reason = reason
        self.version += 1
        self.events.append(
            InitiativeWithdrawnV1(
                initiative_id=self.id,
                campaign_year=self.campaign_year,
                agency_code=self.agency_code,
                reason=reason,
                withdrawn_at=now,
            )
        )

    def _event_fields(self) -> dict[str, object]:
        return {
            "campaign_year": self.campaign_year,
            "agency_code": self.agency_code,
            **self.content.values(),
            "builds_on": self.content.builds_on.as_event() if self.content.builds_on else None,
            "submitted_at": self.submitted_at,
            "agency_email": agency_email(self.agency_code),
        }


MAX_ATTACHMENTS_PER_INITIATIVE: Final = 20


@dataclass(frozen=True)
class Attachment:
    id: UUID
    initiative_id: UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    storage_key: str
    uploaded_at: datetime
    uploaded_by: str


def snapshot_of(record: Initiative | Draft | Campaign | Attachment) -> dict[str, Any]:
    """A record as plain JSON values, as the audit log keeps it (the storage key aside)."""
    values = {
        f.name: getattr(record, f.name)
        for f in dataclasses.fields(record)
        if f.name not in ("events", "storage_key")
    }
    plain = {
        k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) and not isinstance(v, type) else v
        for k, v in values.items()
    }
    parsed: dict[str, Any] = json.loads(json.dumps(plain, default=str))
    return parsed
