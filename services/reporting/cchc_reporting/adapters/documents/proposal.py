"""Tờ trình đề xuất công nhận và nhân rộng (``…/TTr-SNV``), to the Chairman of the City
People's Committee."""

from __future__ import annotations

from datetime import date

from cchc_reporting.adapters.documents.common import (
    Signer,
    count_phrase,
    decimal,
    doc_number,
    letter,
)
from cchc_reporting.domain.labels import KIND_VI, SCOPE_VI, par_area_vi
from cchc_reporting.domain.read_models import CampaignView
from cchc_shared.documents import (
    AdministrativeDocument,
    Block,
    Bullets,
    Heading,
    Paragraph,
    Table,
)


def _legal_basis(year: int) -> list[str]:
    basis = [
        "Căn cứ Kế hoạch số 4257/KH-UBND ngày 16 tháng 12 năm 2021 của Ủy ban nhân dân Thành "
        "phố về việc xây dựng và nhân rộng điển hình tiêu biểu trên địa bàn Thành phố Hồ Chí "
        "Minh giai đoạn 2021 - 2025;",
    ]
    if year == 2023:
        basis.append(
            "Căn cứ Quyết định số 4291/QĐ-UBND ngày 09 tháng 12 năm 2022 của Ủy ban nhân dân "
            "Thành phố về ban hành Kế hoạch thực hiện công tác cải cách hành chính trên địa bàn "
            "Thành phố năm 2023;"
        )
    basis.append(
        f"Căn cứ Kế hoạch khảo sát các mô hình, giải pháp, sáng kiến về công tác cải cách hành "
        f"chính năm {year} của Sở Nội vụ;"
    )
    return basis


def proposal(
    signer: Signer, view: CampaignView, number: str | None = None, issued_on: date | None = None
) -> AdministrativeDocument:
    year = view.year
    d = view.dashboard
    chosen = view.recommended
    body: list[Block] = [Paragraph(text, italic=True) for text in _legal_basis(year)]
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
            f"thực tế, đánh giá {count_phrase(d.surveyed)} (điểm trung bình "
            f"{decimal(d.mean_score)}/100 điểm). Trên cơ sở kết quả đánh giá và ý kiến của sở, "
            f"ngành phụ trách lĩnh vực, Sở Nội vụ lựa chọn {count_phrase(len(chosen))} "
            "đề xuất công nhận và nhân rộng."
        ),
        Heading("II. DANH SÁCH ĐỀ XUẤT CÔNG NHẬN VÀ NHÂN RỘNG"),
    ]
    if chosen:
        body.append(
            Table(
                headers=(
                    "STT",
                    "Tên mô hình, giải pháp, sáng kiến",
                    "Cơ quan, đơn vị",
                    "Lĩnh vực",
                    "Điểm",
                    "Phạm vi nhân rộng",
                ),
                rows=[
                    (
                        i,
                        f"{KIND_VI.get(life.kind, life.kind)}: {life.title}",
                        life.agency.name,
                        par_area_vi(life.par_area),
                        life.recommendation.final_score if life.recommendation else None,
                        SCOPE_VI[life.recommendation.scope] if life.recommendation else "",
                    )
                    for i, life in enumerate(chosen, start=1)
                ],
                caption="Danh sách mô hình, giải pháp, sáng kiến đề xuất công nhận",
                column_widths=(0.9, 4.4, 2.8, 2.4, 1, 2.2),
            )
        )
        body.append(Heading("III. NỘI DUNG VÀ LÝ DO ĐỀ XUẤT"))
        for i, life in enumerate(chosen, start=1):
            rec = life.recommendation
            assert rec is not None
            body.append(Heading(f"{i}. {life.title}", level=2))
            body.append(
                Bullets(
                    [
                        f"Cơ quan, đơn vị thực hiện: {life.agency.name}",
                        f"Lĩnh vực: {par_area_vi(life.par_area)}",
                        f"Điểm đánh giá chung cuộc: {decimal(rec.final_score)}/100 điểm "
                        f"({rec.evaluation_count} phiếu đánh giá)",
                        f"Phạm vi đề xuất: {SCOPE_VI[rec.scope]}",
                    ]
                )
            )
            if life.results:
                body.append(Paragraph(f"Kết quả đạt được: {life.results}"))
            body.append(Paragraph(f"Lý do đề xuất: {rec.rationale}"))
    else:
        body.append(Paragraph("Chưa có mô hình, giải pháp, sáng kiến nào đủ điều kiện đề xuất."))
    body += [
        Heading("IV. TỔ CHỨC THỰC HIỆN"),
        Paragraph(
            "Sau khi được Chủ tịch Ủy ban nhân dân Thành phố công nhận, Sở Nội vụ phối hợp "
            "với các sở, ngành phụ trách lĩnh vực hướng dẫn các cơ quan, đơn vị triển khai áp "
            "dụng nhân rộng theo phạm vi được công nhận; theo dõi, tổng hợp kết quả, báo cáo "
            "Ủy ban nhân dân Thành phố."
        ),
        Paragraph("Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, quyết định./."),
    ]
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
    )
