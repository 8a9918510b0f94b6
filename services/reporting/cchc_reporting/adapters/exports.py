"""CSV and XLSX exports of the read models, with Vietnamese headers.

CSV is UTF-8 with a byte-order mark (spreadsheet programs then read the diacritics), numbers
written the Vietnamese way as in the documents (a dot groups thousands, "6.640"; a comma marks
the decimals, scores with two: "85,33"; such a field is quoted) and ISO dates. XLSX cells carry
their type: integers and scores are numbers shown with grouped thousands (scores with two
decimals; a Vietnamese Excel shows "6.640" and "85,33"), dates are dates, timestamps are shown
in Ho Chi Minh City time (UTC+7; Excel has no time zones).

Text is never a formula. A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be run by a spreadsheet program (``=HYPERLINK(...)`` in a title): in CSV
it is prefixed with a single quote (OWASP's advice on CSV injection), in XLSX it is written as
a string cell with Excel's quote prefix, never as a formula. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cchc_reporting.domain.filters import InitiativeFilter
from cchc_reporting.domain.labels import (
    DECISION_VI,
    KIND_VI,
    LEVEL_VI,
    ROUND_STATUS_VI,
    SCOPE_VI,
    STATUS_VI,
    par_area_vi,
)
from cchc_reporting.domain.read_models import (
    AgencyScorecard,
    CampaignView,
    InitiativeLife,
    ParIndexRow,
    RankedInitiative,
    RoundResult,
)
from cchc_shared.documents import format_number

CSV_TYPE: Final = "text/csv; charset=utf-8"
XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HCMC_TZ: Final = timezone(timedelta(hours=7), "ICT")

ColumnType = Literal["text", "int", "score", "date", "datetime"]

# What makes a spreadsheet program read a cell as a formula (or a DDE command).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """True for text that a spreadsheet program would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


@dataclass(frozen=True)
class Column:
    header: str  # Vietnamese
    kind: ColumnType
    width: int
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Any]


def _life_columns() -> list[Column]:
    return [
        Column("Tên mô hình, giải pháp, sáng kiến", "text", 50, lambda x: x.title),
        Column("Loại", "text", 12, lambda x: KIND_VI.get(x.kind, x.kind)),
        Column("Lĩnh vực cải cách hành chính", "text", 30, lambda x: par_area_vi(x.par_area)),
        Column("Mã cơ quan", "text", 11, lambda x: x.agency.code),
        Column("Cơ quan, đơn vị", "text", 34, lambda x: x.agency.name),
        Column("Cấp", "text", 24, lambda x: LEVEL_VI.get(x.agency.level, x.agency.level)),
        Column("Quận, huyện", "text", 22, lambda x: x.agency.district_name or ""),
        Column("Tình trạng", "text", 22, lambda x: STATUS_VI[x.status.value]),
        Column("Ngày đăng ký", "datetime", 17, lambda x: x.submitted_at),
        Column("Đợt khảo sát", "int", 8, lambda x: x.round_sequence),
        Column("Ngày khảo sát", "date", 12, lambda x: x.visit_date),
        Column("Số phiếu đánh giá", "int", 10, lambda x: x.summary_scores.count),
        Column("Điểm trung bình", "score", 10, lambda x: x.mean_score),
        Column("Điểm thấp nhất", "score", 10, lambda x: x.summary_scores.minimum),
        Column("Điểm cao nhất", "score", 10, lambda x: x.summary_scores.maximum),
        Column(
            "Quyết định lựa chọn",
            "text",
            22,
            lambda x: DECISION_VI[x.decision.decision] if x.decision else "",
        ),
        Column(
            "Điểm chung cuộc",
            "score",
            10,
            lambda x: x.recommendation.final_score if x.recommendation else None,
        ),
        Column(
            "Phạm vi nhân rộng",
            "text",
            26,
            lambda x: SCOPE_VI[x.recommendation.scope] if x.recommendation else "",
        ),
        Column("Mã sáng kiến", "text", 38, lambda x: str(x.initiative_id)),
    ]


def _ranking_columns() -> list[Column]:
    life = _life_columns()
    return [
        Column("Hạng", "int", 6, lambda r: r.rank),
        *(Column(c.header, c.kind, c.width, _on_life(c.value)) for c in life),
    ]


def _on_life(value: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda ranked: value(ranked.life)


def _scorecard_columns() -> list[Column]:
    return [
        Column("Mã cơ quan", "text", 11, lambda c: c.agency.code),
        Column("Cơ quan, đơn vị", "text", 36, lambda c: c.agency.name),
        Column("Cấp", "text", 24, lambda c: LEVEL_VI.get(c.agency.level, c.agency.level)),
        Column("Quận, huyện", "text", 22, lambda c: c.agency.district_name or ""),
        Column("Số sáng kiến đăng ký", "int", 10, lambda c: c.submitted),
        Column("Số sáng kiến đã rút", "int", 10, lambda c: c.withdrawn),
        Column("Số sáng kiến được lên lịch", "int", 10, lambda c: c.scheduled),
        Column("Số sáng kiến được khảo sát", "int", 10, lambda c: c.surveyed),
        Column("Số phiếu đánh giá", "int", 10, lambda c: c.evaluations),
        Column("Số sáng kiến đề xuất nhân rộng", "int", 10, lambda c: c.recommended),
        Column("Điểm trung bình", "score", 10, lambda c: c.mean_score),
        Column("Điểm cao nhất", "score", 10, lambda c: c.best_score),
    ]


def _recommended_columns() -> list[Column]:
    def rec(x: InitiativeLife) -> Any:
        assert x.recommendation is not None
        return x.recommendation

    return [
        Column("Tên mô hình, giải pháp, sáng kiến", "text", 50, lambda x: x.title),
        Column("Loại", "text", 12, lambda x: KIND_VI.get(x.kind, x.kind)),
        Column("Cơ quan, đơn vị", "text", 34, lambda x: x.agency.name),
        Column("Lĩnh vực cải cách hành chính", "text", 30, lambda x: par_area_vi(x.par_area)),
        Column("Điểm chung cuộc", "score", 10, lambda x: rec(x).final_score),
        Column("Số phiếu đánh giá", "int", 10, lambda x: rec(x).evaluation_count),
        Column("Phạm vi nhân rộng", "text", 26, lambda x: SCOPE_VI[rec(x).scope]),
        Column("Lý do đề xuất", "text", 60, lambda x: rec(x).rationale),
        Column("Ngày quyết định", "datetime", 17, lambda x: rec(x).decided_at),
        Column("Mã sáng kiến", "text", 38, lambda x: str(x.initiative_id)),
    ]


def _par_columns() -> list[Column]:
    return [
        Column("Mã đơn vị", "text", 10, lambda r: r.unit_code),
        Column("Đơn vị", "text", 40, lambda r: r.unit_name),
        Column("Cấp", "text", 28, lambda r: LEVEL_VI.get(r.unit_level, r.unit_level)),
        Column("Số sáng kiến đăng ký", "int", 10, lambda r: r.submitted),
        Column("Số sáng kiến được khảo sát", "int", 10, lambda r: r.surveyed),
        Column("Số sáng kiến đề xuất nhân rộng", "int", 10, lambda r: r.recommended),
        Column("Điểm trung bình", "score", 10, lambda r: r.mean_score),
        Column("Điểm Chỉ số CCHC", "score", 10, lambda r: r.points),
    ]


def _round_columns() -> list[Column]:
    return [
        Column("Đợt", "int", 6, lambda r: r.sequence),
        Column("Tình trạng", "text", 14, lambda r: ROUND_STATUS_VI[r.status]),
        Column("Từ ngày", "date", 12, lambda r: r.starts_on),
        Column("Đến ngày", "date", 12, lambda r: r.ends_on),
        Column(
            "Trưởng đoàn",
            "text",
            28,
            lambda r: ", ".join(m.name for m in r.team if m.role == "head"),
        ),
        Column("Số thành viên", "int", 10, lambda r: len(r.team)),
        Column("Số mô hình được khảo sát", "int", 10, lambda r: len(r.visits)),
        Column("Số mô hình đã đánh giá", "int", 10, lambda r: r.visits_evaluated),
        Column("Số phiếu đánh giá", "int", 10, lambda r: r.summary_scores.count),
        Column("Điểm trung bình", "score", 10, lambda r: r.summary_scores.mean),
        Column("Lý do điều chỉnh, hủy", "text", 40, lambda r: r.reason),
        Column("Mã đợt", "text", 38, lambda r: str(r.round_id)),
    ]


def table(view: CampaignView, name: str, filters: InitiativeFilter) -> Sheet:
    """The rows of one exportable table, with the list endpoints' filters applied."""
    year = view.year
    if name == "initiatives":
        lives: list[InitiativeLife] = [x for x in view.initiatives if filters.matches(x)]
        return Sheet(f"Sáng kiến {year}", _life_columns(), lives)
    if name == "ranking":
        ranked: list[RankedInitiative] = [r for r in view.ranking if filters.matches(r.life)]
        return Sheet(f"Xếp hạng {year}", _ranking_columns(), ranked)
    if name == "agencies":
        cards: list[AgencyScorecard] = [
            c for c in view.scorecards if filters.matches_agency(c.agency)
        ]
        return Sheet(f"Cơ quan {year}", _scorecard_columns(), cards)
    if name == "recommended":
        chosen = [x for x in view.recommended if filters.matches(x)]
        return Sheet(f"Đề xuất nhân rộng {year}", _recommended_columns(), chosen)
    if name == "par-index":
        rows: list[ParIndexRow] = [
            r for r in view.par_index if filters.level is None or r.unit_level == filters.level
        ]
        return Sheet(f"Chỉ số CCHC {year}", _par_columns(), rows)
    if name == "rounds":
        rounds: list[RoundResult] = list(view.rounds)
        return Sheet(f"Đợt khảo sát {year}", _round_columns(), rounds)
    raise ValueError(f"unknown table {name!r}")


def _csv_value(kind: ColumnType, value: Any) -> str:
    if value is None:
        return ""
    if kind == "score":
        return format_number(float(value))
    if kind == "int":
        return format_number(int(value))
    if kind == "datetime":
        return str(value.astimezone(HCMC_TZ).isoformat(timespec="seconds"))
    if kind == "date":
        return str(value.isoformat())
    text = str(value)
    return f"'{text}" if kind == "text" and formula_like(text) else text


def to_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_value(c.kind, c.value(row)) for c in sheet.columns])
    return buffer.getvalue().encode("utf-8-sig")


_NUMBER_FORMATS: Final[dict[ColumnType, str]] = {
    "int": "#,##0",
    "score": "#,##0.00",
    "date": "DD/MM/YYYY",
    "datetime": "DD/MM/YYYY HH:MM",
    "text": "@",
}


def _xlsx_value(kind: ColumnType, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        assert isinstance(value, datetime)
        return value.astimezone(HCMC_TZ).replace(tzinfo=None)
    if kind == "date":
        assert isinstance(value, date)
        return value
    if kind == "score":
        return float(value)
    return value


def _text_cell(worksheet: Any, value: str) -> WriteOnlyCell:
    """A string cell, whatever it begins with (openpyxl makes any "=..." value a formula)."""
    cell = WriteOnlyCell(worksheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    return cell


def to_xlsx(sheet: Sheet) -> bytes:
    """A streamed (write-only) workbook: rows are written once, so 10,000 rows stay cheap."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.title[:31])  # Excel's limit on sheet names
    for index, column in enumerate(sheet.columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = "A2"
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(worksheet, column.header)
        cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
        header.append(cell)
    worksheet.append(header)
    formats = [_NUMBER_FORMATS[c.kind] if c.kind != "text" else None for c in sheet.columns]
    for row in sheet.rows:
        cells: list[Any] = []
        for column, number_format in zip(sheet.columns, formats, strict=True):
            value = _xlsx_value(column.kind, column.value(row))
            if formula_like(value):
                cells.append(_text_cell(worksheet, value))
            elif number_format is None or value is None:
                cells.append(value)
            else:
                cell = WriteOnlyCell(worksheet, value)
                cell.number_format = number_format
                cells.append(cell)
        worksheet.append(cells)
    if sheet.rows:
        last = get_column_letter(len(sheet.columns))
        worksheet.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
