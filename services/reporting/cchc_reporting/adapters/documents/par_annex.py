"""Phụ lục: the PAR-Index contribution table, served on its own and annexed to the survey
report."""

from __future__ import annotations

from datetime import date

from cchc_reporting.adapters.documents.common import Signer, decimal, doc_number, letter, score_cell
from cchc_reporting.domain.facts import ParRuleFact
from cchc_reporting.domain.read_models import CampaignView
from cchc_shared.contracts.vocabulary import AgencyLevel
from cchc_shared.documents import (
    AdministrativeDocument,
    Block,
    Bullets,
    Paragraph,
    Table,
    vietnamese_date,
)


def par_index_annex(
    signer: Signer, view: CampaignView, number: str | None = None, issued_on: date | None = None
) -> AdministrativeDocument:
    year = view.year
    body = annex_blocks(view, number, issued_on, heading=False)
    return letter(
        signer,
        kind="PHỤ LỤC",
        title=(
            "Kết quả khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính\n"
            f"của các cơ quan, đơn vị năm {year}"
        ),
        number=doc_number(number, "BC-SNV"),
        issued_on=issued_on,
        body=body,
        recipients=[],
        copies_to=["Lưu: VT, CCHC"],
        year=year,
    )


def annex_blocks(
    view: CampaignView, number: str | None, issued_on: date | None, *, heading: bool
) -> list[Block]:
    year = view.year
    rule = view.par_rule
    groups = (
        ("A", "SỞ, BAN, NGÀNH", (AgencyLevel.CITY_DEPARTMENT.value,)),
        ("B", "CƠ QUAN NGÀNH DỌC", (AgencyLevel.VERTICAL_AGENCY.value,)),
        ("C", "ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ ĐỨC, CÁC QUẬN, HUYỆN", (AgencyLevel.DISTRICT.value,)),
        ("D", "ĐƠN VỊ KHÁC", ("unknown",)),
    )
    rows: list[tuple[str | int | float | None, ...]] = []
    for mark, label, levels in groups:
        items = [r for r in view.par_index if r.unit_level in levels]
        if not items:
            continue
        rows.append((mark, label, None, None, None, None, None))
        for i, row in enumerate(items, start=1):
            rows.append(
                (
                    i,
                    row.unit_name,
                    row.submitted,
                    row.surveyed,
                    row.recommended,
                    score_cell(row.mean_score),
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
        )
    )
    blocks: list[Block] = []
    if heading:
        blocks += [
            Paragraph("PHỤ LỤC", bold=True, align="center"),
            Paragraph(
                "KẾT QUẢ KHẢO SÁT MÔ HÌNH, GIẢI PHÁP, SÁNG KIẾN CẢI CÁCH HÀNH CHÍNH "
                f"CỦA CÁC CƠ QUAN, ĐƠN VỊ NĂM {year}",
                bold=True,
                align="center",
            ),
        ]
    blocks += [
        Paragraph(
            f"(Kèm theo Báo cáo số {doc_number(number, 'BC-SNV')} "
            + (f"{vietnamese_date(issued_on)} " if issued_on else "")
            + "của Sở Nội vụ)",
            italic=True,
            align="center",
        ),
        Table(
            headers=(
                "STT",
                "Đơn vị",
                "Số đề xuất",
                "Số được khảo sát",
                "Số đề xuất nhân rộng",
                "Điểm TB",
                "Điểm Chỉ số CCHC",
            ),
            rows=rows,
            caption=f"Kết quả khảo sát phục vụ xác định Chỉ số cải cách hành chính năm {year}",
            column_widths=(1, 4.6, 1.2, 1.4, 1.5, 1.1, 1.3),
        ),
        Paragraph("Ghi chú:", bold=True, align="left"),
        Bullets(_annex_notes(rule)),
    ]
    return blocks


def _annex_notes(rule: ParRuleFact | None) -> list[str]:
    """The notes under the PAR-Index table: the rule the evaluation service announced with
    the figures (reporting keeps no copy of it)."""
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
            f"Điểm Chỉ số CCHC: {decimal(rule.per_submitted)} điểm cho mỗi đề xuất, "
            f"{decimal(rule.per_surveyed)} điểm cho mỗi mô hình được khảo sát, "
            f"{decimal(rule.per_recommended)} điểm cho mỗi mô hình được đề xuất nhân rộng"
            + (
                f", {decimal(rule.per_adopted)} điểm cho mỗi mô hình được Chủ tịch Ủy ban nhân "
                "dân Thành phố công nhận sau đợt khảo sát năm trước mà đơn vị (hoặc phường, xã, "
                "thị trấn trực thuộc) đã báo cáo áp dụng"
                if rule.per_adopted
                else ""
            )
            + f"; tối đa {decimal(rule.cap)} điểm"
        )
    return notes
