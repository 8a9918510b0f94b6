"""Tờ trình đề xuất công nhận và nhân rộng (``…/TTr-SNV``), to the Chairman of the City
People's Committee, with its annexes and the draft decision (Quyết định) of the Chairman.

The letter itself stays within a few pages: the grounds, the criteria and the threshold,
how many were evaluated and selected, a summary by area. The full list goes in Phụ lục I, what
the survey found and the reason for each proposal in Phụ lục II, and the draft decision
follows with its own list.
"""

from __future__ import annotations

from datetime import date

from cchc_reporting.adapters.documents.assessment import (
    CRITERION_VI,
    assessment_lines,
    criterion_results,
    recommendation_reason,
)
from cchc_reporting.adapters.documents.common import (
    Grounds,
    Signer,
    count_phrase,
    decimal,
    doc_number,
    letter,
    reference,
    score_cell,
)
from cchc_reporting.domain.labels import KIND_VI, SCOPE_VI, par_area_vi
from cchc_reporting.domain.read_models import CampaignView, InitiativeLife
from cchc_shared.documents import (
    AdministrativeDocument,
    Block,
    Bullets,
    Heading,
    Paragraph,
    Table,
    vietnamese_date,
)
from cchc_shared.documents.model import date_line

CITY_PLAN = (
    "Kế hoạch số 4257/KH-UBND ngày 16 tháng 12 năm 2021 của Ủy ban nhân dân Thành phố về việc "
    "xây dựng và nhân rộng điển hình tiêu biểu trên địa bàn Thành phố Hồ Chí Minh giai đoạn "
    "2021 - 2025"
)
PAR_PLAN_2023 = (
    "Quyết định số 4291/QĐ-UBND ngày 09 tháng 12 năm 2022 của Ủy ban nhân dân Thành phố về ban "
    "hành Kế hoạch thực hiện công tác cải cách hành chính trên địa bàn Thành phố năm 2023"
)
# The criteria of the default rubric with their maximum, for a campaign whose evaluations
# have not been seen yet (the figures of the evaluations win).
DEFAULT_MAXIMA = {
    "novelty": 15.0,
    "applicability": 15.0,
    "effectiveness": 25.0,
    "satisfaction": 25.0,
    "replicability": 20.0,
}


def _grounds(view: CampaignView, grounds: Grounds) -> list[str]:
    basis = [CITY_PLAN]
    if view.year == 2023:
        basis.append(PAR_PLAN_2023)
    basis.append(grounds.plan(view).citation)
    return basis


def _final(life: InitiativeLife) -> float | None:
    if life.recommendation is not None:
        return life.recommendation.final_score
    if life.decision is not None:
        return life.decision.final_score
    return life.mean_score


def _criteria(view: CampaignView) -> list[str]:
    maxima: dict[str, float] = {}
    for life in view.recommended or tuple(r.life for r in view.ranking[:1]):
        maxima.update({r.code: r.maximum for r in criterion_results(life)})
    maxima = maxima or dict(DEFAULT_MAXIMA)
    return [
        f"{CRITERION_VI.get(code, code)[:1].upper()}{CRITERION_VI.get(code, code)[1:]}: "
        f"tối đa {decimal(maximum)} điểm"
        for code, maximum in maxima.items()
    ]


def _by_area(view: CampaignView) -> Table:
    chosen = view.recommended
    rows: list[tuple[str | int | float | None, ...]] = []
    for area in view.dashboard.by_par_area:
        mine = [life for life in chosen if life.par_area == area.par_area]
        scores = [s for s in (_final(life) for life in mine) if s is not None]
        rows.append(
            (
                par_area_vi(area.par_area),
                area.surveyed,
                len(mine),
                round(sum(scores) / len(scores), 2) if scores else None,
            )
        )
    all_scores = [s for s in (_final(life) for life in chosen) if s is not None]
    rows.append(
        (
            "Tổng cộng",
            view.dashboard.surveyed,
            len(chosen),
            round(sum(all_scores) / len(all_scores), 2) if all_scores else None,
        )
    )
    return Table(
        headers=(
            "Lĩnh vực cải cách hành chính",
            "Số mô hình được đánh giá",
            "Số mô hình đề xuất",
            "Điểm bình quân của mô hình đề xuất",
        ),
        rows=rows,
        caption="Bảng 1. Kết quả lựa chọn theo lĩnh vực",
        column_widths=(5, 1.6, 1.6, 1.8),
    )


def _list_table(chosen: tuple[InitiativeLife, ...], with_scores: bool) -> Table:
    headers = ["STT", "Tên mô hình, giải pháp, sáng kiến", "Cơ quan, đơn vị", "Lĩnh vực"]
    if with_scores:
        headers.append("Điểm")
    headers.append("Phạm vi nhân rộng")
    rows = []
    for i, life in enumerate(chosen, start=1):
        row: list[str | int | float | None] = [
            i,
            f"{KIND_VI.get(life.kind, life.kind)}: {life.title}",
            life.agency.full_name,
            par_area_vi(life.par_area),
        ]
        if with_scores:
            row.append(score_cell(_final(life)))
        row.append(SCOPE_VI[life.recommendation.scope] if life.recommendation else "")
        rows.append(tuple(row))
    return Table(
        headers=headers,
        rows=rows,
        column_widths=(0.8, 4.6, 2.8, 2.4, 1.2, 2.2) if with_scores else (0.8, 5, 3, 2.6, 2.4),
    )


def proposal(
    signer: Signer,
    view: CampaignView,
    number: str | None = None,
    issued_on: date | None = None,
    grounds: Grounds | None = None,
) -> AdministrativeDocument:
    grounds = grounds or Grounds()
    year = view.year
    d = view.dashboard
    chosen = view.recommended
    threshold = grounds.recommendation_threshold
    reaching = sum(1 for r in view.ranking if (_final(r.life) or 0.0) >= threshold)
    this = reference("Tờ trình", number, "TTr-SNV", issued_on, year)
    period = (
        f"từ {vietnamese_date(d.first_visit_on)} đến {vietnamese_date(d.last_visit_on)}"
        if d.first_visit_on and d.last_visit_on and d.first_visit_on != d.last_visit_on
        else (f"{vietnamese_date(d.first_visit_on)}" if d.first_visit_on else f"năm {year}")
    )
    body: list[Block] = [
        Paragraph(f"Căn cứ {text};", italic=True) for text in _grounds(view, grounds)
    ]
    body += [
        Paragraph(
            "Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, quyết định "
            "công nhận và triển khai áp dụng nhân rộng các mô hình, giải pháp, sáng kiến về "
            f"cải cách hành chính năm {year}, cụ thể như sau:"
        ),
        Heading("I. KẾT QUẢ KHẢO SÁT, ĐÁNH GIÁ"),
        Paragraph(
            f"Sở Nội vụ đã tiếp nhận {count_phrase(d.initiatives_active)} của "
            f"{d.agencies_participating} cơ quan, đơn vị; phối hợp với Tổ công tác Ban Chỉ "
            f"đạo Cải cách hành chính Thành phố tổ chức {d.rounds_confirmed} đợt khảo sát "
            f"thực tế {period}, đánh giá {count_phrase(d.surveyed)} với {d.evaluations} "
            f"phiếu đánh giá của thành viên Đoàn khảo sát; điểm bình quân đạt "
            f"{decimal(d.mean_score)}/100 điểm."
        ),
        Heading("II. TIÊU CHÍ VÀ NGƯỠNG ĐỀ XUẤT"),
        Paragraph(
            "Mỗi mô hình, giải pháp, sáng kiến được thành viên Đoàn khảo sát chấm điểm trên "
            "thang 100 điểm theo các tiêu chí sau:"
        ),
        Bullets(_criteria(view)),
        Paragraph(
            f"Mô hình, giải pháp, sáng kiến đạt từ {decimal(threshold)} điểm trở lên, đủ số "
            "phiếu đánh giá và được sở, ngành phụ trách lĩnh vực thống nhất thì được xem xét "
            "đề xuất công nhận và nhân rộng."
        ),
        Heading("III. KẾT QUẢ LỰA CHỌN"),
        Paragraph(
            f"Trong {count_phrase(d.surveyed)} được đánh giá, có {reaching} mô hình, giải "
            f"pháp, sáng kiến đạt từ {decimal(threshold)} điểm trở lên; Sở Nội vụ lựa chọn "
            f"{count_phrase(len(chosen))} đề xuất công nhận và nhân rộng"
            + (
                ", gồm: "
                + "; ".join(
                    f"{n} mô hình {SCOPE_VI[scope][0].lower()}{SCOPE_VI[scope][1:]}"
                    for scope, n in d.recommended_by_scope.items()
                    if n
                )
                if chosen
                else ""
            )
            + "."
        ),
        _by_area(view),
        Paragraph(
            "Danh sách đầy đủ các mô hình, giải pháp, sáng kiến đề xuất công nhận tại Phụ lục "
            "I; kết quả khảo sát và lý do đề xuất đối với từng mô hình tại Phụ lục II kèm theo."
        ),
        Heading("IV. ĐỀ XUẤT"),
        Paragraph(
            "Sở Nội vụ kính đề nghị Chủ tịch Ủy ban nhân dân Thành phố ban hành Quyết định công "
            f"nhận {count_phrase(len(chosen))} về cải cách hành chính năm {year} và cho phép "
            "triển khai áp dụng nhân rộng theo phạm vi đề xuất (dự thảo Quyết định kèm theo). "
            "Sau khi được công nhận, Sở Nội vụ phối hợp với các sở, ngành phụ trách lĩnh vực "
            "hướng dẫn các cơ quan, đơn vị triển khai áp dụng; theo dõi, tổng hợp kết quả, báo "
            "cáo Ủy ban nhân dân Thành phố."
        ),
        Paragraph("Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, quyết định./."),
    ]
    annexes: list[AdministrativeDocument] = []
    if chosen:
        annexes.append(
            AdministrativeDocument(
                kind="PHỤ LỤC I",
                title=(
                    "Danh sách mô hình, giải pháp, sáng kiến đề xuất công nhận và nhân rộng\n"
                    f"về cải cách hành chính năm {year}"
                ),
                number="",
                issued_on=None,
                body=[_list_table(chosen, with_scores=True)],
                annex_to=this,
                year=year,
            )
        )
        details: list[Block] = []
        for i, life in enumerate(chosen, start=1):
            details.append(Heading(f"{i}. {life.title}", level=2))
            details.append(
                Bullets(
                    [
                        f"Cơ quan, đơn vị thực hiện: {life.agency.full_name}",
                        f"Lĩnh vực: {par_area_vi(life.par_area)}",
                        *assessment_lines(life),
                        f"Lý do đề xuất: {recommendation_reason(life, threshold)}",
                    ]
                )
            )
        annexes.append(
            AdministrativeDocument(
                kind="PHỤ LỤC II",
                title=(
                    "Kết quả khảo sát và lý do đề xuất\nđối với từng mô hình, giải pháp, sáng kiến"
                ),
                number="",
                issued_on=None,
                body=details,
                annex_to=this,
                year=year,
            )
        )
    annexes += draft_decision(view, number, issued_on, grounds)
    return letter(
        signer,
        kind="TỜ TRÌNH",
        title=(
            "Đề xuất công nhận và nhân rộng các mô hình, giải pháp, sáng kiến\n"
            f"về cải cách hành chính năm {year}"
        ),
        number=doc_number(number, "TTr-SNV"),
        issued_on=issued_on,
        body=body,
        recipients=["Chủ tịch Ủy ban nhân dân Thành phố"],
        copies_to=[
            "Như trên",
            "Văn phòng Ủy ban nhân dân Thành phố",
            "Ban Chỉ đạo Cải cách hành chính Thành phố",
            "Giám đốc, các Phó Giám đốc Sở",
            "Lưu: VT, CCHC",
        ],
        year=year,
        attachments=annexes,
    )


def draft_decision(
    view: CampaignView, number: str | None, issued_on: date | None, grounds: Grounds
) -> list[AdministrativeDocument]:
    """The Chairman's decision the Tờ trình asks for, as a draft for the City's office, and
    the list it recognises."""
    year = view.year
    chosen = view.recommended
    proposal_ref = reference("Tờ trình", number, "TTr-SNV", issued_on, year)
    body: list[Block] = [
        Paragraph("CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", bold=True, align="center"),
        Paragraph(
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa "
            "đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa "
            "phương ngày 22 tháng 11 năm 2019;",
            italic=True,
        ),
        *[Paragraph(f"Căn cứ {text};", italic=True) for text in _grounds(view, grounds)[:2]],
        Paragraph(f"Xét đề nghị của Giám đốc Sở Nội vụ tại {proposal_ref}.", italic=True),
        Paragraph("QUYẾT ĐỊNH:", bold=True, align="center"),
        Paragraph(
            f"Điều 1. Công nhận {count_phrase(len(chosen))} về cải cách hành chính năm {year} "
            "và cho phép triển khai áp dụng nhân rộng theo phạm vi nêu tại Danh sách kèm theo "
            "Quyết định này."
        ),
        Paragraph(
            "Điều 2. Giao Sở Nội vụ chủ trì, phối hợp với các sở, ngành phụ trách lĩnh vực "
            "hướng dẫn các cơ quan, đơn vị triển khai áp dụng nhân rộng các mô hình, giải pháp, "
            "sáng kiến tại Điều 1; theo dõi, tổng hợp kết quả, báo cáo Ủy ban nhân dân Thành phố."
        ),
        Paragraph(
            "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân "
            "Thành phố, Giám đốc Sở Nội vụ, Thủ trưởng các sở, ban, ngành Thành phố, Chủ tịch Ủy "
            "ban nhân dân thành phố Thủ Đức, các quận, huyện và các cơ quan, đơn vị có tên tại "
            "Điều 1 chịu trách nhiệm thi hành Quyết định này./."
        ),
    ]
    this = (
        f"Quyết định số {doc_number(None, 'QĐ-UBND')} {date_line('', None, year)} của Chủ "
        "tịch Ủy ban nhân dân Thành phố"
    )
    annex = AdministrativeDocument(
        kind="DANH SÁCH",
        title=(
            "Mô hình, giải pháp, sáng kiến về cải cách hành chính năm "
            f"{year}\nđược công nhận và cho phép nhân rộng"
        ),
        number="",
        issued_on=None,
        body=[_list_table(chosen, with_scores=False)]
        if chosen
        else [Paragraph("Không có mô hình nào.")],
        annex_to=this,
        year=year,
    )
    decision = AdministrativeDocument(
        kind="QUYẾT ĐỊNH",
        title=(
            "Về việc công nhận và nhân rộng các mô hình, giải pháp, sáng kiến\n"
            f"về cải cách hành chính năm {year}"
        ),
        number=doc_number(None, "QĐ-UBND"),
        issued_on=None,
        body=body,
        copies_to=[
            "Như Điều 3",
            "Bộ Nội vụ (để báo cáo)",
            "Thường trực Thành ủy",
            "Thường trực Hội đồng nhân dân Thành phố",
            "Thường trực Ủy ban nhân dân Thành phố",
            "Lưu: VT",
        ],
        signer_authority="",
        signer_title="CHỦ TỊCH",
        signer_name="",
        issuer_parent="",
        issuer="ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH",
        year=year,
        draft=True,
    )
    return [decision, annex]
