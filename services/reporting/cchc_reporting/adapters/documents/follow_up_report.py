"""Báo cáo kết quả triển khai nhân rộng: for one year, how far each model the Chairman of the
City People's Committee recognised has spread, with the figures the agencies reported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cchc_reporting.adapters.documents.common import (
    Signer,
    count_phrase,
    decimal,
    doc_number,
    letter,
)
from cchc_reporting.domain.follow_up import (
    STANDING_VI,
    ModelFollowUp,
    OverdueItem,
    agency_name,
    quarter_label,
)
from cchc_shared.documents import (
    AdministrativeDocument,
    BarChart,
    Block,
    Bullets,
    Heading,
    Paragraph,
    Table,
)

SCOPE_VI = {
    "city_wide": "toàn Thành phố",
    "district_level": "cấp huyện",
    "commune_level": "cấp xã",
}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{decimal(value)}%"


def follow_up_report(
    signer: Signer,
    year: int,
    follow_ups: Sequence[ModelFollowUp],
    overdue: Sequence[OverdueItem],
    as_of: date,
    number: str | None = None,
    issued_on: date | None = None,
) -> AdministrativeDocument:
    return letter(
        signer,
        kind="BÁO CÁO",
        title=(
            "Kết quả triển khai nhân rộng các mô hình, giải pháp, sáng kiến\n"
            f"cải cách hành chính năm {year}"
        ),
        number=doc_number(number, "BC-SNV"),
        issued_on=issued_on,
        body=_body(year, follow_ups, overdue, as_of),
        recipients=[
            "Ủy ban nhân dân Thành phố",
            "Ban Chỉ đạo cải cách hành chính Thành phố",
        ],
        copies_to=[
            "Chủ tịch Ủy ban nhân dân Thành phố (để báo cáo)",
            "Các sở, ban, ngành Thành phố",
            "Ủy ban nhân dân thành phố Thủ Đức và các quận, huyện",
            "Lưu: VT, CCHC",
        ],
        year=year,
    )


def _body(
    year: int, follow_ups: Sequence[ModelFollowUp], overdue: Sequence[OverdueItem], as_of: date
) -> list[Block]:
    targets = sum(len(f.targets) for f in follow_ups)
    adopted = sum(f.adopted for f in follow_ups)
    unsuitable = sum(f.count("not_suitable") for f in follow_ups)
    silent = sum(f.count("no_report") for f in follow_ups)
    decisions = sorted({(f.model.decision_number, f.model.signed_on) for f in follow_ups})
    blocks: list[Block] = [
        Paragraph(
            "Thực hiện Kế hoạch số 4257/KH-UBND của Ủy ban nhân dân Thành phố về xây dựng và "
            "nhân rộng các mô hình, điển hình tiên tiến, và "
            + (
                "các Quyết định " + ", ".join(f"số {n} ngày {d:%d/%m/%Y}" for n, d in decisions)
                if decisions
                else "các Quyết định công nhận"
            )
            + " của Chủ tịch Ủy ban nhân dân Thành phố công nhận mô hình, giải pháp, sáng kiến "
            "cải cách hành chính, Sở Nội vụ báo cáo kết quả triển khai nhân rộng năm "
            f"{year} (số liệu đến ngày {as_of:%d/%m/%Y}, tổng hợp từ báo cáo định kỳ hằng quý "
            "của các cơ quan, đơn vị) như sau:"
        ),
        Heading("I. KẾT QUẢ CHUNG", level=1),
        Bullets(
            [
                f"Số mô hình, giải pháp, sáng kiến được công nhận và theo dõi: {len(follow_ups)}",
                f"Số lượt cơ quan, đơn vị phải triển khai nhân rộng: {targets}",
                f"Số lượt đã áp dụng: {adopted}"
                + (f" (đạt {decimal(100 * adopted / targets)}%)" if targets else ""),
                f"Số lượt báo cáo mô hình không phù hợp: {unsuitable}",
                f"Số lượt chưa gửi báo cáo: {silent}",
                f"Số trường hợp quá hạn hoặc chưa báo cáo đúng kỳ: {len(overdue)}",
            ]
        ),
    ]
    if not follow_ups:
        blocks.append(Paragraph("Trong năm chưa có mô hình nào được công nhận để nhân rộng."))
        return blocks
    blocks += [
        Table(
            headers=(
                "STT",
                "Mô hình, giải pháp, sáng kiến",
                "Phạm vi",
                "Số đơn vị phải triển khai",
                "Đã áp dụng",
                "Đang triển khai",
                "Không phù hợp",
                "Chưa báo cáo",
                "Tỷ lệ áp dụng",
            ),
            rows=[
                (
                    i,
                    f.model.title,
                    SCOPE_VI.get(f.model.scope, f.model.scope),
                    len(f.targets),
                    f.adopted,
                    f.count("in_progress"),
                    f.count("not_suitable"),
                    f.count("no_report"),
                    _percent(f.adoption_percent),
                )
                for i, f in enumerate(follow_ups, start=1)
            ],
            caption=f"Kết quả triển khai nhân rộng đến ngày {as_of:%d/%m/%Y}",
            column_widths=(0.8, 4.2, 1.3, 1.3, 1.1, 1.1, 1.1, 1.1, 1.2),
        ),
        BarChart(
            title="Tỷ lệ cơ quan, đơn vị đã áp dụng (%)",
            categories=[f"{i}. {_short(f.model.title)}" for i, f in enumerate(follow_ups, 1)],
            values=[f.adoption_percent for f in follow_ups],
            value_label="%",
        ),
        Heading("II. KẾT QUẢ TỪNG MÔ HÌNH", level=1),
    ]
    for i, f in enumerate(follow_ups, start=1):
        blocks += _model_section(i, f)
    blocks.append(Heading("III. CƠ QUAN, ĐƠN VỊ CHẬM TRIỂN KHAI, CHƯA BÁO CÁO", level=1))
    if overdue:
        blocks.append(
            Table(
                headers=("STT", "Cơ quan, đơn vị", "Mô hình", "Tình hình", "Số ngày"),
                rows=[
                    (
                        i,
                        item.agency_name,
                        item.title,
                        (
                            f"Quá thời hạn {item.deadline:%d/%m/%Y}, "
                            f"{STANDING_VI[item.standing].lower()}"
                        )
                        if item.reason == "past_deadline"
                        else f"Chưa báo cáo {quarter_label(item.quarter or '')}",
                        item.days,
                    )
                    for i, item in enumerate(overdue, start=1)
                ],
                caption="Danh sách cơ quan, đơn vị quá hạn hoặc chưa báo cáo đúng kỳ",
                column_widths=(0.8, 3.4, 4.0, 3.2, 1.0),
            )
        )
    else:
        blocks.append(Paragraph("Các cơ quan, đơn vị đều triển khai và báo cáo đúng thời hạn."))
    blocks += [
        Heading("IV. KIẾN NGHỊ, ĐỀ XUẤT", level=1),
        Bullets(
            [
                "Đề nghị Ủy ban nhân dân Thành phố chỉ đạo các cơ quan, đơn vị chưa triển khai "
                "hoặc chưa báo cáo khẩn trương thực hiện và báo cáo định kỳ hằng quý về Sở Nội vụ",
                "Kết quả triển khai nhân rộng được tính vào kết quả khảo sát phục vụ xác định "
                "Chỉ số cải cách hành chính năm tiếp theo của các cơ quan, đơn vị, theo tiêu chí "
                "nêu tại Phụ lục Chỉ số cải cách hành chính",
            ]
        ),
        Paragraph(
            f"Trên đây là báo cáo kết quả triển khai nhân rộng năm {year} của Sở Nội vụ, "
            "kính báo cáo Ủy ban nhân dân Thành phố./."
        ),
    ]
    return blocks


def _short(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _results_sentence(f: ModelFollowUp) -> str:
    """What the adopters reported, only the indicators some report gave."""
    results = f.results
    parts = []
    if results.processing_days_before is not None and results.processing_days_after is not None:
        parts.append(
            f"thời gian giải quyết bình quân {decimal(results.processing_days_before)} ngày "
            f"trước khi áp dụng, {decimal(results.processing_days_after)} ngày sau khi áp dụng"
        )
    if results.satisfaction_percent is not None:
        parts.append(f"mức độ hài lòng bình quân {_percent(results.satisfaction_percent)}")
    if results.cases_handled:
        parts.append(
            f"{count_phrase(results.cases_handled, 'hồ sơ, vụ việc')} được giải quyết theo mô hình"
        )
    if not parts:
        return "Các đơn vị chưa báo cáo số liệu kết quả áp dụng."
    return "Kết quả các đơn vị báo cáo: " + "; ".join(parts) + "."


def _model_section(index: int, f: ModelFollowUp) -> list[Block]:
    model = f.model
    blocks: list[Block] = [
        Heading(f"{index}. {model.title}", level=2),
        Paragraph(
            f"Mô hình của {agency_name(model.agency_code)}, được công nhận tại Quyết định số "
            f"{model.decision_number} ngày {model.signed_on:%d/%m/%Y}; "
            f"phạm vi nhân rộng {SCOPE_VI.get(model.scope, model.scope)}; thời hạn hoàn thành "
            f"{model.deadline:%d/%m/%Y}. Có {f.adopted}/{len(f.targets)} cơ quan, đơn vị đã áp "
            f"dụng ({_percent(f.adoption_percent)}), {f.count('in_progress')} đang triển khai, "
            f"{f.count('not_suitable')} báo cáo không phù hợp, {f.count('no_report')} chưa báo cáo."
        ),
        Paragraph(_results_sentence(f)),
    ]
    adopters = [t for t in f.targets if t.standing == "adopted"]
    if adopters:
        blocks.append(
            Paragraph(
                "Đơn vị đã áp dụng: "
                + ", ".join(agency_name(t.agency_code) for t in adopters)
                + "."
            )
        )
    unsuitable = [t for t in f.targets if t.standing == "not_suitable"]
    if unsuitable:
        blocks.append(
            Bullets(
                [
                    f"{agency_name(t.agency_code)} báo cáo không phù hợp: "
                    f"{t.report.reason if t.report else ''}"
                    for t in unsuitable
                ]
            )
        )
    return blocks
