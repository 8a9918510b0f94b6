"""Phụ lục: the Chairman's Quyết định as the Department recorded it — each recognised model,
its scope of replication, the agencies that must adopt it and the deadline — sent with the
follow-up to the agencies concerned."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from cchc_reporting.adapters.documents.common import Signer, doc_number, letter
from cchc_reporting.adapters.documents.follow_up_report import SCOPE_VI
from cchc_reporting.domain.facts import RecognitionFact
from cchc_reporting.domain.follow_up import REPORT_DUE_DAYS, agency_name
from cchc_shared.documents import AdministrativeDocument, Block, Paragraph, Table
from cchc_shared.reference import districts, get_agency, wards_of


def targets_phrase(targets: Sequence[str]) -> str:
    """Who must adopt, as a clerk would write it: whole districts' wards and all districts
    named as such, the rest by name."""
    chosen = set(targets)
    parts: list[str] = []
    all_districts = {d.code for d in districts()}
    if all_districts - chosen == set() or len(all_districts & chosen) >= len(all_districts) - 1:
        missing = sorted(all_districts - chosen)
        parts.append(
            "Ủy ban nhân dân thành phố Thủ Đức và các quận, huyện"
            + (f" (trừ {', '.join(agency_name(c) for c in missing)})" if missing else "")
        )
        chosen -= all_districts
    by_district: dict[str, set[str]] = defaultdict(set)
    for code in chosen:
        agency = get_agency(code)
        if agency is not None and agency.parent_code is not None:
            by_district[agency.parent_code].add(code)
    for district, codes in sorted(by_district.items()):
        every = {w.code for w in wards_of(district)}
        if len(codes) >= len(every) - 1:
            parts.append(f"Ủy ban nhân dân các phường, xã, thị trấn thuộc {agency_name(district)}")
            chosen -= codes
    parts += [agency_name(c) for c in targets if c in chosen]
    return "; ".join(parts)


def decision_record(
    signer: Signer,
    models: Sequence[RecognitionFact],
    number: str | None = None,
    issued_on: date | None = None,
) -> AdministrativeDocument:
    first = models[0]
    body: list[Block] = [
        Paragraph(
            f"(Kèm theo Quyết định số {first.decision_number} ngày "
            f"{first.signed_on:%d/%m/%Y} của Chủ tịch Ủy ban nhân dân Thành phố)",
            italic=True,
            align="center",
        ),
        Table(
            headers=(
                "STT",
                "Mô hình, giải pháp, sáng kiến",
                "Đơn vị có mô hình",
                "Phạm vi nhân rộng",
                "Cơ quan, đơn vị triển khai",
                "Thời hạn",
            ),
            rows=[
                (
                    i,
                    m.title,
                    agency_name(m.agency_code),
                    SCOPE_VI.get(m.scope, m.scope),
                    f"{targets_phrase(m.targets)} ({len(m.targets)} đơn vị)",
                    f"{m.deadline:%d/%m/%Y}",
                )
                for i, m in enumerate(models, start=1)
            ],
            caption="Danh mục mô hình, giải pháp, sáng kiến được công nhận và nhân rộng",
            column_widths=(0.8, 3.4, 2.0, 1.4, 3.9, 1.9),
        ),
        Paragraph(
            "Các cơ quan, đơn vị có tên trên báo cáo định kỳ hằng quý về Sở Nội vụ (Phòng Cải "
            "cách hành chính) tình hình triển khai, cách vận dụng và kết quả áp dụng, chậm "
            f"nhất {REPORT_DUE_DAYS} ngày sau khi kết thúc quý."
        ),
    ]
    return letter(
        signer,
        kind="PHỤ LỤC",
        title="Danh mục mô hình, giải pháp, sáng kiến cải cách hành chính\n"
        "được công nhận và các cơ quan, đơn vị triển khai nhân rộng",
        number=doc_number(number, "BC-SNV"),
        issued_on=issued_on,
        body=body,
        recipients=[],
        copies_to=["Các cơ quan, đơn vị có tên tại Phụ lục", "Lưu: VT, CCHC"],
        year=first.campaign_year + 1,
    )
