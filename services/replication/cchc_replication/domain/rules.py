"""The rules a Quyết định and an adoption report must meet. Each broken rule is a ``Fault``
naming the field and the reason in Vietnamese and English; all of a request's faults are
reported together.

Pure: the reference data of agencies is read through ``cchc_shared.reference`` (shipped with
the kit, immutable), the clock is given."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Final
from uuid import UUID

from cchc_replication.domain.model import (
    Candidate,
    EvidenceFile,
    RecognisedModel,
    ReportContent,
    TargetSelection,
)
from cchc_shared.contracts.events import MAX_CASES_HANDLED, MAX_PROCESSING_DAYS
from cchc_shared.contracts.quarters import Quarter
from cchc_shared.contracts.vocabulary import AgencyLevel
from cchc_shared.errors import Fault
from cchc_shared.reference import districts, get_agency, wards_of

# "1234/QĐ-UBND": a number, the document kind (QĐ), the issuing body's abbreviation.
DECISION_NUMBER: Final = re.compile(r"^\d{1,6}/QĐ-[A-ZĐ0-9]{2,12}(?:-[A-ZĐ0-9]{1,12})?$")

# Which levels of agency each scope of replication reaches.
_SCOPE_LEVELS: Final[dict[str, frozenset[AgencyLevel]]] = {
    "city_wide": frozenset(AgencyLevel),
    "district_level": frozenset({AgencyLevel.DISTRICT}),
    "commune_level": frozenset({AgencyLevel.COMMUNE}),
}
SCOPE_VI: Final[dict[str, str]] = {
    "city_wide": "toàn Thành phố",
    "district_level": "cấp huyện",
    "commune_level": "cấp xã",
}
STARTED_STATUSES: Final = frozenset({"in_progress", "adopted"})


def decision_number_faults(number: str) -> list[Fault]:
    if DECISION_NUMBER.fullmatch(number):
        return []
    return [
        Fault(
            "decision_number",
            f"Số Quyết định “{number}” không đúng dạng số/QĐ-cơ quan ban hành (ví dụ 1234/QĐ-UBND)",
            f"decision number '{number}' is not of the form number/QĐ-issuer (e.g. 1234/QĐ-UBND)",
        )
    ]


def signed_on_faults(signed_on: date, campaign_year: int, today: date) -> list[Fault]:
    faults = []
    if signed_on > today:
        faults.append(
            Fault(
                "signed_on",
                f"Ngày ký {signed_on:%d/%m/%Y} ở tương lai",
                f"the signing date {signed_on} is in the future",
            )
        )
    if signed_on.year < campaign_year:
        faults.append(
            Fault(
                "signed_on",
                f"Ngày ký {signed_on:%d/%m/%Y} trước năm khảo sát {campaign_year}",
                f"the signing date {signed_on} is before the {campaign_year} campaign",
            )
        )
    return faults


def resolve_targets(
    path: str, selection: TargetSelection, scope: str, origin_agency: str
) -> tuple[tuple[str, ...], list[Fault]]:
    """Every agency the selection names, in reference order, without the agency whose model
    it is (it already applies it); the faults of what it names wrongly."""
    faults: list[Fault] = []
    chosen: dict[str, None] = {}
    if selection.all_districts:
        chosen.update((d.code, None) for d in districts())
    for i, code in enumerate(selection.wards_of):
        agency = get_agency(code)
        if agency is None or agency.level is not AgencyLevel.DISTRICT:
            faults.append(
                Fault(
                    f"{path}.wards_of[{i}]",
                    f"{code} không phải mã quận, huyện, thành phố thuộc Thành phố",
                    f"{code} is not a district-level unit of the city",
                )
            )
            continue
        chosen.update((w.code, None) for w in wards_of(code))
    for i, code in enumerate(selection.agency_codes):
        if get_agency(code) is None:
            faults.append(
                Fault(
                    f"{path}.agency_codes[{i}]",
                    f"Không có đơn vị mang mã {code} trong danh mục",
                    f"no agency has the code {code}",
                )
            )
            continue
        chosen[code] = None
    levels = _SCOPE_LEVELS[scope]
    outside = [c for c in chosen if (a := get_agency(c)) is not None and a.level not in levels]
    if outside:
        shown = ", ".join(outside[:5]) + ("…" if len(outside) > 5 else "")
        faults.append(
            Fault(
                path,
                f"Phạm vi nhân rộng {SCOPE_VI[scope]} không gồm các đơn vị {shown}",
                f"a {scope} replication does not reach {shown}",
            )
        )
    chosen.pop(origin_agency, None)
    if not chosen and not faults:
        faults.append(
            Fault(
                path,
                "Chưa có đơn vị nào phải triển khai nhân rộng (ngoài đơn vị có mô hình)",
                "no agency (besides the model's own) is to replicate it",
            )
        )
    return tuple(chosen), faults


def model_faults(
    path: str,
    initiative_id: object,
    candidate: Candidate | None,
    recognised: RecognisedModel | None,
    deadline: date,
    signed_on: date,
) -> list[Fault]:
    faults = []
    if candidate is None:
        faults.append(
            Fault(
                f"{path}.initiative_id",
                f"Sáng kiến {initiative_id} chưa được Sở Nội vụ đề xuất công nhận, nhân rộng",
                f"initiative {initiative_id} was not recommended for replication",
            )
        )
    if recognised is not None:
        faults.append(
            Fault(
                f"{path}.initiative_id",
                f"Sáng kiến “{recognised.title}” đã được công nhận tại một Quyết định khác",
                f"initiative {initiative_id} is already recognised by another decision",
            )
        )
    if deadline <= signed_on:
        faults.append(
            Fault(
                f"{path}.deadline",
                f"Thời hạn hoàn thành {deadline:%d/%m/%Y} phải sau ngày ký Quyết định "
                f"{signed_on:%d/%m/%Y}",
                f"the deadline {deadline} must be after the signing date {signed_on}",
            )
        )
    return faults


def duplicate_faults(ids: Sequence[object]) -> list[Fault]:
    seen: set[object] = set()
    faults = []
    for i, value in enumerate(ids):
        if value in seen:
            faults.append(
                Fault(
                    f"models[{i}].initiative_id",
                    "Sáng kiến được nêu hai lần trong Quyết định",
                    "the initiative is named twice in the decision",
                )
            )
        seen.add(value)
    return faults


def target_faults(model: RecognisedModel, agency_code: str) -> list[Fault]:
    """Why ``agency_code`` may not report on ``model`` (it is not one of its targets)."""
    if agency_code in model.targets:
        return []
    name = agency.name if (agency := get_agency(agency_code)) else agency_code
    return [
        Fault(
            "agency_code",
            f"{name} không thuộc các đơn vị phải triển khai nhân rộng mô hình “{model.title}”",
            f"{agency_code} is not a target agency of this model",
        )
    ]


def evidence_faults(
    wanted: Sequence[UUID], found: dict[UUID, EvidenceFile], initiative_id: UUID, agency_code: str
) -> list[Fault]:
    """A report attaches only evidence its agency uploaded for this model, each once."""
    faults: list[Fault] = []
    for position, evidence_id in enumerate(wanted):
        file = found.get(evidence_id)
        if file is None or (file.initiative_id, file.agency_code) != (initiative_id, agency_code):
            faults.append(
                Fault(
                    f"evidence_ids[{position}]",
                    "Không có tệp minh chứng này trong các tệp đơn vị đã tải lên cho mô hình",
                    f"no evidence {evidence_id} uploaded by {agency_code} for this model",
                )
            )
        elif evidence_id in wanted[:position]:
            faults.append(
                Fault(
                    f"evidence_ids[{position}]",
                    "Tệp minh chứng được đính kèm hai lần",
                    "the same evidence is attached twice",
                )
            )
    return faults


def report_faults(
    *,
    model: RecognisedModel,
    agency_code: str,
    quarter_text: str,
    content: ReportContent,
    decided_on: date,
    today: date,
) -> tuple[Quarter | None, list[Fault]]:
    """The faults of one quarter's report on ``model`` by ``agency_code``."""
    faults: list[Fault] = target_faults(model, agency_code)
    quarter = Quarter.parse(quarter_text)
    if quarter is None:
        faults.append(
            Fault(
                "quarter",
                f"Kỳ báo cáo “{quarter_text}” không đúng dạng năm-quý (ví dụ 2024-Q1)",
                f"quarter '{quarter_text}' is not of the form YYYY-Qn",
            )
        )
    else:
        if quarter < Quarter.of(decided_on):
            faults.append(
                Fault(
                    "quarter",
                    f"Kỳ báo cáo {quarter.label_vi()} trước khi có Quyết định "
                    f"({decided_on:%d/%m/%Y})",
                    f"quarter {quarter} is before the decision ({decided_on})",
                )
            )
        if quarter > Quarter.of(today):
            faults.append(
                Fault(
                    "quarter",
                    f"Chưa đến kỳ báo cáo {quarter.label_vi()}",
                    f"quarter {quarter} has not begun",
                )
            )
    faults.extend(content_faults(content, quarter, today))
    return quarter, faults


def content_faults(content: ReportContent, quarter: Quarter | None, today: date) -> list[Fault]:
    faults = []
    if content.status == "not_suitable" and not content.reason.strip():
        faults.append(
            Fault(
                "reason",
                "Cần nêu lý do mô hình không phù hợp với đơn vị",
                "a not_suitable report must give the reason",
            )
        )
    if content.status in STARTED_STATUSES and content.started_on is None:
        faults.append(
            Fault(
                "started_on",
                "Cần nêu ngày bắt đầu triển khai",
                "an in_progress or adopted report must give the start date",
            )
        )
    if content.started_on is not None:
        limit = min(quarter.ends_on, today) if quarter is not None else today
        if content.started_on > limit:
            faults.append(
                Fault(
                    "started_on",
                    f"Ngày bắt đầu triển khai {content.started_on:%d/%m/%Y} sau kỳ báo cáo "
                    "hoặc ở tương lai",
                    f"the start date {content.started_on} is after the quarter or in the future",
                )
            )
        if content.status == "not_started":
            faults.append(
                Fault(
                    "started_on",
                    "Đơn vị chưa triển khai thì không có ngày bắt đầu triển khai",
                    "a not_started report has no start date",
                )
            )
    faults.extend(indicator_faults(content))
    return faults


def indicator_faults(content: ReportContent) -> list[Fault]:
    values = content.indicators
    faults = []
    if (
        values.measured_from is not None
        and values.measured_to is not None
        and values.measured_to < values.measured_from
    ):
        faults.append(
            Fault(
                "indicators.measured_to",
                f"Ngày kết thúc kỳ đo {values.measured_to:%d/%m/%Y} trước ngày bắt đầu "
                f"{values.measured_from:%d/%m/%Y}",
                f"the end {values.measured_to} is before the start {values.measured_from}",
            )
        )
    if values.satisfaction_percent is not None and not 0 <= values.satisfaction_percent <= 100:
        faults.append(
            Fault(
                "indicators.satisfaction_percent",
                f"Tỷ lệ hài lòng {values.satisfaction_percent:g}% phải trong khoảng 0 đến 100%",
                f"satisfaction {values.satisfaction_percent:g}% is not within 0..100",
            )
        )
    for name, value, most in (
        ("processing_days_before", values.processing_days_before, MAX_PROCESSING_DAYS),
        ("processing_days_after", values.processing_days_after, MAX_PROCESSING_DAYS),
        ("cases_handled", values.cases_handled, MAX_CASES_HANDLED),
    ):
        if value is not None and not 0 <= value <= most:
            faults.append(
                Fault(
                    f"indicators.{name}",
                    f"Giá trị {value:g} phải trong khoảng 0 đến {most:,}".replace(",", "."),
                    f"{name} {value:g} is not within 0..{most}",
                )
            )
    if content.status == "not_started" and _has_results(content):
        faults.append(
            Fault(
                "indicators",
                "Đơn vị chưa triển khai thì chưa có kết quả để báo cáo",
                "a not_started report has no results",
            )
        )
    return faults


def _has_results(content: ReportContent) -> bool:
    values = content.indicators
    return any(
        v is not None
        for v in (
            values.processing_days_after,
            values.satisfaction_percent,
            values.cases_handled,
        )
    )
