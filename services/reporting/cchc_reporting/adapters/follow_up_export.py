"""The follow-up of replication as a spreadsheet: one row per recognised model and target
agency, where it stands and what it reported (the exports' own XLSX writer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cchc_reporting.adapters.exports import Column, Sheet
from cchc_reporting.domain.follow_up import (
    STANDING_VI,
    ModelFollowUp,
    TargetState,
    agency_name,
)
from cchc_shared.reference import district_of, get_agency

_BEFORE, _AFTER = "processing_days_before", "processing_days_after"


@dataclass(frozen=True)
class _Row:
    follow_up: ModelFollowUp
    target: TargetState


def _district(code: str) -> str:
    district = district_of(code)
    agency = get_agency(district) if district else None
    return agency.name if agency else ""


def follow_up_sheet(follow_ups: Sequence[ModelFollowUp]) -> Sheet:
    def report(row: _Row, name: str) -> object:
        return getattr(row.target.report, name) if row.target.report else None

    columns = [
        Column("Mô hình, giải pháp, sáng kiến", "text", 50, lambda r: r.follow_up.model.title),
        Column("Quyết định", "text", 16, lambda r: r.follow_up.model.decision_number),
        Column("Ngày ký", "date", 12, lambda r: r.follow_up.model.signed_on),
        Column("Thời hạn", "date", 12, lambda r: r.follow_up.model.deadline),
        Column("Mã đơn vị", "text", 10, lambda r: r.target.agency_code),
        Column("Cơ quan, đơn vị", "text", 34, lambda r: agency_name(r.target.agency_code)),
        Column("Quận, huyện", "text", 22, lambda r: _district(r.target.agency_code)),
        Column("Tình hình", "text", 18, lambda r: STANDING_VI[r.target.standing]),
        Column("Kỳ báo cáo gần nhất", "text", 14, lambda r: r.target.last_quarter or ""),
        Column("Lần điều chỉnh", "int", 10, lambda r: report(r, "revision")),
        Column("Ngày bắt đầu", "date", 12, lambda r: report(r, "started_on")),
        Column(
            "Số ngày giải quyết trước", "score", 12, lambda r: report(r, "processing_days_before")
        ),
        Column("Số ngày giải quyết sau", "score", 12, lambda r: report(r, "processing_days_after")),
        Column("Mức hài lòng (%)", "score", 12, lambda r: report(r, "satisfaction_percent")),
        Column("Số hồ sơ trong kỳ", "int", 12, lambda r: report(r, "cases_handled")),
        Column("Số kỳ báo cáo trễ", "int", 10, lambda r: r.target.late_reports),
        Column("Lý do không phù hợp", "text", 40, lambda r: report(r, "reason") or ""),
    ]
    rows = [_Row(f, t) for f in follow_ups for t in f.targets]
    return Sheet("Theo dõi nhân rộng", columns, rows)
