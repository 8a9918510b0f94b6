"""Phụ lục: the PAR-Index contribution of each unit, annexed to the survey report (Phụ lục III)
and served on its own. An annex has no number of its own: it names the report it goes with.

It says which criterion of the PAR Index the figures feed and its maximum, lists the models
counted for each unit, and shows how each unit's points were derived, cap included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cchc_reporting.adapters.documents.common import Signer, decimal, reference, score_cell
from cchc_reporting.domain.facts import ParRuleFact
from cchc_reporting.domain.read_models import CampaignView, InitiativeLife, ParIndexRow
from cchc_shared.contracts.vocabulary import AgencyLevel
from cchc_shared.documents import AdministrativeDocument, Block, Bullets, Paragraph, Table

CRITERION = (
    "tiêu chí thành phần về kết quả triển khai, nhân rộng mô hình, giải pháp, sáng kiến "
    "cải cách hành chính của Chỉ số cải cách hành chính"
)
GROUPS = (
    ("A", "SỞ, BAN, NGÀNH", (AgencyLevel.CITY_DEPARTMENT.value,)),
    ("B", "CƠ QUAN NGÀNH DỌC", (AgencyLevel.VERTICAL_AGENCY.value,)),
    ("C", "ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ ĐỨC, CÁC QUẬN, HUYỆN", (AgencyLevel.DISTRICT.value,)),
    ("D", "ĐƠN VỊ KHÁC", ("unknown",)),
)


def par_index_annex(
    signer: Signer, view: CampaignView, number: str | None = None, issued_on: date | None = None
) -> AdministrativeDocument:
    """The annex on its own: titled as in the report, "(Kèm theo Báo cáo số …)"."""
    del signer  # an annex is signed with the report it goes with
    year = view.year
    return AdministrativeDocument(
        kind="PHỤ LỤC III",
        title=(
            "Kết quả khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính\n"
            f"của các cơ quan, đơn vị năm {year}"
        ),
        number="",
        issued_on=None,
        body=annex_blocks(view),
        annex_to=reference("Báo cáo", number, "BC-SNV", issued_on, year),
        year=year,
    )


def _derivation(row: ParIndexRow, rule: ParRuleFact | None) -> str:
    """ "4 × 0,50 + 4 × 0,50 + 1 × 1,00 = 5,00; trần 3,00" — how the points were reached."""
    if rule is None:
        return decimal(row.points)
    if not (row.submitted or row.surveyed or row.recommended):
        return "—"
    raw = (
        row.submitted * rule.per_submitted
        + row.surveyed * rule.per_surveyed
        + row.recommended * rule.per_recommended
    )
    text = (
        f"{row.submitted} × {decimal(rule.per_submitted)} + {row.surveyed} × "
        f"{decimal(rule.per_surveyed)} + {row.recommended} × {decimal(rule.per_recommended)} "
        f"= {decimal(raw)}"
    )
    return text + (f"; áp trần {decimal(rule.cap)}" if raw > rule.cap + 1e-9 else "")


def _counted(view: CampaignView, unit_code: str) -> list[InitiativeLife]:
    lives = [
        life
        for life in view.initiatives
        if not life.withdrawn
        and (
            life.agency.code == unit_code
            or (
                life.agency.par_unit_code == unit_code
                and (view.par_rule is None or view.par_rule.district_counts_wards)
            )
        )
    ]
    return sorted(lives, key=lambda life: -(life.mean_score or 0.0))


def _model_line(life: InitiativeLife, unit_code: str) -> str:
    owner = "" if life.agency.code == unit_code else f" ({life.agency.name})"
    result = (
        "đề xuất nhân rộng"
        if life.recommendation
        else ("chưa khảo sát" if life.mean_score is None else "không đề xuất")
    )
    score = f"{decimal(life.mean_score)} điểm; " if life.mean_score is not None else ""
    return f"{life.title}{owner}: {score}{result}"


def annex_blocks(view: CampaignView) -> list[Block]:
    year = view.year
    rule = view.par_rule
    rows: list[tuple[str | int | float | None, ...]] = []
    for mark, label, levels in GROUPS:
        items = [r for r in view.par_index if r.unit_level in levels]
        if not items:
            continue
        rows.append((mark, label, None, None, None, None, None, None))
        for i, row in enumerate(items, start=1):
            rows.append(
                (
                    i,
                    row.unit_name,
                    row.submitted,
                    row.surveyed,
                    row.recommended,
                    score_cell(row.mean_score),
                    _derivation(row, rule),
                    row.points,
                )
            )
    rows.append(
        (
            "",
            "Tổng cộng",
            sum(r.submitted for r in view.par_index),
            sum(r.surveyed for r in view.par_index),
            sum(r.recommended for r in view.par_index),
            None,
            None,
            None,
        )
    )
    blocks: list[Block] = [
        Paragraph(
            f"Kết quả dưới đây là căn cứ chấm {CRITERION} năm {year}"
            + (f"; điểm tối đa của tiêu chí: {decimal(rule.cap)} điểm." if rule else ".")
        ),
        Table(
            headers=(
                "STT",
                "Đơn vị",
                "Số mô hình đề xuất",
                "Số mô hình được khảo sát",
                "Số mô hình đề xuất nhân rộng",
                "Điểm TB",
                "Cách tính điểm",
                "Điểm Chỉ số CCHC",
            ),
            rows=rows,
            caption=f"Bảng 1. Điểm Chỉ số cải cách hành chính năm {year} từ kết quả khảo sát",
            column_widths=(0.8, 3.2, 1.3, 1.3, 1.4, 1.1, 2.9, 1.2),
        ),
        Paragraph("Ghi chú:", bold=True, align="left"),
        Bullets(_annex_notes(rule, view.par_index)),
        Paragraph("Các mô hình, giải pháp, sáng kiến được tính cho từng đơn vị:", bold=True),
    ]
    for row in view.par_index:
        counted = _counted(view, row.unit_code)
        if not counted:
            continue
        blocks.append(Paragraph(f"{row.unit_name} ({len(counted)} mô hình):", italic=True))
        blocks.append(Bullets([_model_line(life, row.unit_code) for life in counted]))
    return blocks


def _annex_notes(rule: ParRuleFact | None, rows: Sequence[ParIndexRow]) -> list[str]:
    """The notes under the PAR-Index table: the rule the evaluation service announced with
    the figures (reporting keeps no copy of it), and what its cap does this year."""
    wards = rule is None or rule.district_counts_wards
    median = rule is not None and rule.final_score_method == "median"
    notes = [
        "Sở, ban, ngành và cơ quan ngành dọc: tính các mô hình, giải pháp, sáng kiến "
        "do chính cơ quan đề xuất",
        "Thành phố Thủ Đức, quận, huyện: tính cả các mô hình, giải pháp, sáng kiến do "
        "Ủy ban nhân dân các phường, xã, thị trấn trực thuộc đề xuất"
        if wards
        else "Thành phố Thủ Đức, quận, huyện: chỉ tính các mô hình, giải pháp, sáng kiến do "
        "chính Ủy ban nhân dân đề xuất",
        "Không tính các đề xuất đơn vị đã rút; điểm của mỗi mô hình là "
        + ("trung vị" if median else "bình quân")
        + " điểm của các thành viên Đoàn khảo sát; điểm trung bình của đơn vị là bình quân "
        "điểm các mô hình được khảo sát của đơn vị; làm tròn đến hai chữ số thập phân",
    ]
    if rule is not None:
        notes.append(
            f"Điểm Chỉ số CCHC = số mô hình đề xuất × {decimal(rule.per_submitted)} + số mô "
            f"hình được khảo sát × {decimal(rule.per_surveyed)} + số mô hình đề xuất nhân "
            f"rộng × {decimal(rule.per_recommended)}"
            + (
                f" + số mô hình được Chủ tịch Ủy ban nhân dân Thành phố công nhận sau đợt khảo "
                f"sát năm trước mà đơn vị (hoặc phường, xã, thị trấn trực thuộc) đã báo cáo áp "
                f"dụng × {decimal(rule.per_adopted)}"
                if rule.per_adopted
                else ""
            )
            + f", tối đa {decimal(rule.cap)} điểm (điểm tối đa của tiêu chí)"
        )
        districts = [r for r in rows if r.unit_level == AgencyLevel.DISTRICT.value]
        capped = [r for r in districts if r.points >= rule.cap - 1e-9]
        if districts and capped:
            notes.append(
                f"Việc áp trần là có chủ ý: không đơn vị nào nhận quá {decimal(rule.cap)} điểm "
                f"của tiêu chí. Năm nay {len(capped)}/{len(districts)} quận, huyện đạt mức "
                "trần (khi tính cả mô hình của các phường, xã, thị trấn trực thuộc), nên tiêu "
                "chí không còn phân biệt được các đơn vị này; Sở Nội vụ sẽ xem xét điều chỉnh "
                "định mức điểm trong Kế hoạch năm sau"
            )
    return notes
