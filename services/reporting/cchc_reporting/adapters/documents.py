"""The documents the Department sends to the City People's Committee, built from the views:

* Báo cáo kết quả khảo sát — for the campaign and for one round (``…/BC-SNV``);
* Tờ trình đề xuất công nhận và nhân rộng — to the Chairman (``…/TTr-SNV``);
* Phụ lục — the PAR-Index contribution table.

This module writes their content; ``cchc_shared.documents`` lays them out (Nghị định
30/2020/NĐ-CP) as DOCX and PDF.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from cchc_reporting.domain.facts import ParRuleFact
from cchc_reporting.domain.labels import (
    KIND_VI,
    LEVEL_VI,
    RECOMMENDATION_VI,
    ROLE_VI,
    ROUND_STATUS_VI,
    SCOPE_VI,
    par_area_vi,
)
from cchc_reporting.domain.read_models import (
    CampaignView,
    EvaluationSummary,
    InitiativeLife,
    RoundResult,
)
from cchc_shared.contracts.text import fold
from cchc_shared.contracts.vocabulary import RECOMMENDATIONS, AgencyLevel
from cchc_shared.documents import (
    AdministrativeDocument,
    BarChart,
    Block,
    Bullets,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    render_docx,
    render_pdf,
    vietnamese_date,
)

BLANK_NUMBER: Final = "\u00a0" * 6  # the clerk (văn thư) writes the number when issuing
RANKING_ROWS: Final = 50  # longer lists go to the XLSX export, not into a letter
TEXT_ITEMS: Final = 12
CHART_BARS: Final = 15


@dataclass(frozen=True)
class Signer:
    authority: str = "KT. GIÁM ĐỐC"
    title: str = "PHÓ GIÁM ĐỐC"
    name: str = "Ngô Thị Hoàng Các"


def _number(number: str | None, symbol: str) -> str:
    return f"{number or BLANK_NUMBER}/{symbol}"


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


def _score(value: float | None) -> float | str:
    return value if value is not None else "—"


def _count_phrase(count: int, noun: str = "mô hình, giải pháp, sáng kiến") -> str:
    return f"{count:,}".replace(",", ".") + f" {noun}"


def _top_texts(texts: Iterable[str], limit: int = TEXT_ITEMS) -> list[str]:
    """The most frequent distinct texts (compared without case or diacritics), most frequent
    first; ties keep their first appearance."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for text in texts:
        key = fold(text)
        if not key:
            continue
        counts[key] += 1
        first.setdefault(key, text.strip().rstrip(".;"))
    order = {key: i for i, key in enumerate(first)}
    ranked = sorted(counts, key=lambda k: (-counts[k], order[k]))
    return [first[k] for k in ranked[:limit]]


def _recommendation_phrase(summary: EvaluationSummary) -> str:
    parts = [
        f"{summary.tally[r]} phiếu {RECOMMENDATION_VI[r].lower()}"
        for r in RECOMMENDATIONS
        if summary.tally[r]
    ]
    return "; ".join(parts) if parts else "chưa có phiếu đánh giá"


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


def _survey_period(view: CampaignView) -> str:
    d = view.dashboard
    if d.first_visit_on and d.last_visit_on:
        return f"từ {vietnamese_date(d.first_visit_on)} đến {vietnamese_date(d.last_visit_on)}"
    return f"trong năm {view.year}"


def _ranking_table(lives: Sequence[tuple[int, InitiativeLife]], caption: str) -> Table:
    return Table(
        headers=(
            "Hạng",
            "Tên mô hình, giải pháp, sáng kiến",
            "Cơ quan, đơn vị",
            "Lĩnh vực",
            "Số phiếu",
            "Điểm TB",
        ),
        rows=[
            (
                rank,
                life.title,
                life.agency.name,
                par_area_vi(life.par_area),
                life.summary_scores.count,
                _score(life.mean_score),
            )
            for rank, life in lives
        ],
        caption=caption,
        column_widths=(0.9, 5, 3, 2.6, 1, 1.1),
    )


class DocumentBuilder:
    def __init__(self, signer: Signer | None = None) -> None:
        self.signer = signer or Signer()

    def _document(
        self,
        *,
        kind: str,
        title: str,
        number: str,
        issued_on: date | None,
        body: Sequence[Block],
        recipients: Sequence[str],
        copies_to: Sequence[str],
        year: int,
    ) -> AdministrativeDocument:
        return AdministrativeDocument(
            kind=kind,
            title=title,
            number=number,
            issued_on=issued_on,
            body=body,
            recipients=recipients,
            copies_to=copies_to,
            signer_authority=self.signer.authority,
            signer_title=self.signer.title,
            signer_name=self.signer.name,
            year=issued_on.year if issued_on else max(year, date.today().year),
        )

    # -- Báo cáo kết quả khảo sát (campaign) ----------------------------------------------

    def campaign_report(
        self, view: CampaignView, number: str | None = None, issued_on: date | None = None
    ) -> AdministrativeDocument:
        d = view.dashboard
        year = view.year
        body: list[Block] = [
            Paragraph(
                f"Thực hiện Kế hoạch khảo sát các mô hình, giải pháp, sáng kiến về công tác cải "
                f"cách hành chính năm {year}, Sở Nội vụ chủ trì, phối hợp với Tổ công tác Ban Chỉ "
                f"đạo Cải cách hành chính Thành phố tổ chức khảo sát trực tiếp tại các cơ quan, "
                f"đơn vị {_survey_period(view)}. Sở Nội vụ báo cáo kết quả như sau:"
            ),
            Heading("I. TÌNH HÌNH TRIỂN KHAI"),
            Heading("1. Tiếp nhận đề xuất", level=2),
            Paragraph(
                f"Sở Nội vụ đã tiếp nhận {_count_phrase(d.initiatives_received)} do "
                f"{d.agencies_participating} cơ quan, đơn vị đề xuất, trong đó "
                f"{d.withdrawn} đề xuất đã được đơn vị rút lại; còn "
                f"{_count_phrase(d.initiatives_active)} được đưa vào danh sách khảo sát, gồm: "
                f"{d.by_kind['model']} mô hình, {d.by_kind['solution']} giải pháp và "
                f"{d.by_kind['initiative']} sáng kiến."
            ),
            Bullets(
                [
                    f"{LEVEL_VI['city_department']}: {d.by_level['city_department']} đề xuất",
                    f"{LEVEL_VI['vertical_agency']}: {d.by_level['vertical_agency']} đề xuất",
                    f"Ủy ban nhân dân {LEVEL_VI['district']}: {d.by_level['district']} đề xuất",
                    f"Ủy ban nhân dân {LEVEL_VI['commune'].lower()}: "
                    f"{d.by_level['commune']} đề xuất",
                ]
            ),
            Table(
                headers=(
                    "Lĩnh vực cải cách hành chính",
                    "Số đề xuất",
                    "Số được khảo sát",
                    "Số đề xuất nhân rộng",
                    "Điểm TB",
                ),
                rows=[
                    (
                        par_area_vi(a.par_area),
                        a.submitted,
                        a.surveyed,
                        a.recommended,
                        _score(a.mean_score),
                    )
                    for a in d.by_par_area
                ]
                + [
                    (
                        "Tổng cộng",
                        d.initiatives_active,
                        d.surveyed,
                        d.recommended,
                        _score(d.mean_score),
                    )
                ],
                caption="Bảng 1. Đề xuất và kết quả khảo sát theo lĩnh vực",
                column_widths=(5, 1.3, 1.5, 1.6, 1.2),
            ),
            Heading("2. Tổ chức khảo sát", level=2),
            Paragraph(
                f"Đoàn khảo sát đã tổ chức {d.rounds_confirmed} đợt khảo sát với "
                f"{d.visits_planned} lượt làm việc tại các cơ quan, đơn vị"
                + (f"; {d.rounds_cancelled} đợt đã hủy" if d.rounds_cancelled else "")
                + ". Mỗi đợt có thông báo cụ thể đến các thành viên Đoàn khảo sát; thành phần "
                "Đoàn gồm lãnh đạo Sở Nội vụ và thành viên Tổ công tác Ban Chỉ đạo Cải cách "
                "hành chính Thành phố thuộc các sở, ngành tùy theo lĩnh vực của mô hình."
            ),
            Table(
                headers=("Đợt", "Thời gian", "Trưởng đoàn", "Số đơn vị", "Số phiếu", "Điểm TB"),
                rows=[
                    (
                        r.sequence,
                        f"{_dmy(r.starts_on)} - {_dmy(r.ends_on)}"
                        + (
                            f" ({ROUND_STATUS_VI[r.status].lower()})"
                            if r.status != "scheduled"
                            else ""
                        ),
                        ", ".join(m.name for m in r.team if m.role == "head") or "—",
                        len(r.visits),
                        r.summary_scores.count,
                        _score(r.summary_scores.mean),
                    )
                    for r in view.rounds
                ],
                caption="Bảng 2. Các đợt khảo sát",
                column_widths=(0.8, 3.2, 3, 1.2, 1.2, 1.1),
            ),
            Heading("II. KẾT QUẢ KHẢO SÁT"),
            Heading("1. Kết quả chung", level=2),
            Paragraph(
                f"Đoàn khảo sát đã đánh giá {_count_phrase(d.surveyed)} với {d.evaluations} "
                f"phiếu đánh giá của các thành viên; điểm trung bình đạt "
                f"{_fmt(d.mean_score)}/100 điểm. Về đề xuất của thành viên Đoàn: "
                f"{_recommendation_phrase(_tally(d.evaluation_tally))}."
            ),
            BarChart(
                title="Biểu đồ 1. Điểm trung bình theo lĩnh vực cải cách hành chính",
                categories=[par_area_vi(a.par_area) for a in d.by_par_area],
                values=[a.mean_score or 0.0 for a in d.by_par_area],
                value_label="điểm",
            ),
            BarChart(
                title="Biểu đồ 2. Số mô hình, giải pháp, sáng kiến được khảo sát theo lĩnh vực",
                categories=[par_area_vi(a.par_area) for a in d.by_par_area],
                values=[float(a.surveyed) for a in d.by_par_area],
                value_label="mô hình",
            ),
            Heading("2. Kết quả đánh giá các mô hình, giải pháp, sáng kiến", level=2),
        ]
        ranked = [(r.rank, r.life) for r in view.ranking[:RANKING_ROWS]]
        if ranked:
            if len(view.ranking) > RANKING_ROWS:
                body.append(
                    Paragraph(
                        f"Bảng 3 nêu {RANKING_ROWS} mô hình có điểm cao nhất trong tổng số "
                        f"{len(view.ranking)} mô hình được khảo sát; danh sách đầy đủ được "
                        "xuất từ hệ thống (tệp XLSX) kèm theo báo cáo này."
                    )
                )
            body.append(_ranking_table(ranked, "Bảng 3. Xếp hạng theo điểm trung bình"))
        else:
            body.append(Paragraph("Chưa có mô hình nào được đánh giá."))
        lives = [life for life in view.lives.values() if not life.withdrawn]
        evaluations = [e for life in lives for e in life.evaluations]
        body += _findings(
            "3. Ưu điểm",
            "4. Hạn chế",
            "5. Khó khăn, vướng mắc",
            [e.strengths for e in evaluations],
            [e.limitations for e in evaluations],
            [e.difficulties for e in evaluations],
        )
        body += [Heading("III. ĐỀ XUẤT, KIẾN NGHỊ")]
        if view.recommended:
            body += [
                Paragraph(
                    f"Trên cơ sở kết quả khảo sát, đánh giá, Sở Nội vụ đề xuất Chủ tịch Ủy ban "
                    f"nhân dân Thành phố xem xét, quyết định công nhận và triển khai áp dụng "
                    f"nhân rộng {_count_phrase(len(view.recommended))} sau (Tờ trình kèm theo):"
                ),
                Bullets(
                    [
                        f"{life.title} ({life.agency.name}; "
                        f"{SCOPE_VI[life.recommendation.scope].lower()})"
                        for life in view.recommended[:RANKING_ROWS]
                        if life.recommendation
                    ]
                ),
            ]
        else:
            body.append(
                Paragraph(
                    "Chưa có mô hình, giải pháp, sáng kiến nào được đề xuất công nhận và nhân "
                    "rộng trong đợt khảo sát này."
                )
            )
        body.append(
            Paragraph(
                "Kết quả khảo sát là một căn cứ để xác định Chỉ số cải cách hành chính năm "
                f"{year} của các sở, ban, ngành, Ủy ban nhân dân thành phố Thủ Đức, các quận, "
                "huyện (Phụ lục kèm theo)."
            )
        )
        body.append(
            Paragraph(
                f"Trên đây là báo cáo kết quả khảo sát các mô hình, giải pháp, sáng kiến về "
                f"công tác cải cách hành chính năm {year}, Sở Nội vụ kính báo cáo Ủy ban nhân "
                f"dân Thành phố./."
            )
        )
        # The PAR-Index annex travels with the report (it is also served on its own).
        body += [PageBreak(), *_par_annex_blocks(view, number, issued_on, heading=True)]
        return self._document(
            kind="BÁO CÁO",
            title=(
                f"Kết quả khảo sát các mô hình, giải pháp, sáng kiến\nvề công tác cải cách hành "
                f"chính năm {year}"
            ),
            number=_number(number, "BC-SNV"),
            issued_on=issued_on,
            body=body,
            recipients=["Ủy ban nhân dân Thành phố"],
            copies_to=[
                "Như trên",
                "Ban Chỉ đạo Cải cách hành chính Thành phố",
                "Giám đốc, các Phó Giám đốc Sở",
                "Tổ công tác Ban Chỉ đạo Cải cách hành chính Thành phố",
                "Lưu: VT, CCHC",
            ],
            year=year,
        )

    # -- Báo cáo kết quả khảo sát (one round) ---------------------------------------------

    def round_report(
        self,
        view: CampaignView,
        result: RoundResult,
        number: str | None = None,
        issued_on: date | None = None,
    ) -> AdministrativeDocument:
        year = view.year
        period = (
            f"từ {vietnamese_date(result.starts_on)} đến {vietnamese_date(result.ends_on)}"
            if result.starts_on and result.ends_on
            else ""
        )
        body: list[Block] = [
            Paragraph(
                f"Thực hiện Kế hoạch khảo sát các mô hình, giải pháp, sáng kiến về công tác cải "
                f"cách hành chính năm {year}, Đoàn khảo sát đã tiến hành khảo sát đợt "
                f"{result.sequence} {period}. Sở Nội vụ báo cáo kết quả như sau:"
            ),
        ]
        if result.status == "cancelled":
            body.append(
                Paragraph(
                    f"Đợt khảo sát đã được hủy. Lý do: {result.reason or 'không nêu'}.",
                    italic=True,
                )
            )
        body += [
            Heading("I. THÀNH PHẦN ĐOÀN KHẢO SÁT"),
            Bullets(
                [
                    f"{ROLE_VI.get(m.role, m.role)}: {m.name}"
                    for m in sorted(
                        result.team, key=lambda m: ("head", "member", "secretary").index(m.role)
                    )
                ]
                or ["Chưa có thông tin thành phần Đoàn"]
            ),
            Heading("II. KẾT QUẢ KHẢO SÁT"),
            Heading("1. Các đơn vị được khảo sát", level=2),
            Table(
                headers=(
                    "STT",
                    "Cơ quan, đơn vị",
                    "Mô hình, giải pháp, sáng kiến",
                    "Ngày",
                    "Số phiếu",
                    "Điểm TB",
                ),
                rows=[
                    (
                        i,
                        v.agency.name,
                        v.title or "(chưa nhận được hồ sơ đề xuất)",
                        _dmy(v.date),
                        v.summary_scores.count,
                        _score(v.summary_scores.mean),
                    )
                    for i, v in enumerate(result.visits, start=1)
                ],
                caption=f"Bảng 1. Kết quả khảo sát đợt {result.sequence}",
                column_widths=(0.9, 3, 5, 1.6, 1, 1.1),
            ),
            Paragraph(
                f"Đoàn đã làm việc tại {len(result.visits)} đơn vị, trong đó "
                f"{result.visits_evaluated} đơn vị đã có phiếu đánh giá "
                f"({result.summary_scores.count} phiếu; điểm trung bình "
                f"{_fmt(result.summary_scores.mean)}/100 điểm; "
                f"{_recommendation_phrase(result.summary_scores)})."
            ),
        ]
        scored = [v for v in result.visits if v.summary_scores.mean is not None][:CHART_BARS]
        if scored:
            body.append(
                BarChart(
                    title=f"Biểu đồ 1. Điểm trung bình các mô hình khảo sát đợt {result.sequence}",
                    categories=[_short(v.title or v.agency.name) for v in scored],
                    values=[v.summary_scores.mean or 0.0 for v in scored],
                    value_label="điểm",
                )
            )
        body += _findings(
            "2. Ưu điểm",
            "3. Hạn chế",
            "4. Khó khăn, vướng mắc",
            result.strengths,
            result.limitations,
            result.difficulties,
        )
        body.append(
            Paragraph(
                f"Trên đây là báo cáo kết quả khảo sát đợt {result.sequence} năm {year}, Sở Nội "
                "vụ kính báo cáo Ủy ban nhân dân Thành phố./."
            )
        )
        return self._document(
            kind="BÁO CÁO",
            title=(
                f"Kết quả khảo sát đợt {result.sequence} các mô hình, giải pháp, sáng kiến\n"
                f"về công tác cải cách hành chính năm {year}"
            ),
            number=_number(number, "BC-SNV"),
            issued_on=issued_on,
            body=body,
            recipients=["Ủy ban nhân dân Thành phố"],
            copies_to=[
                "Như trên",
                "Ban Chỉ đạo Cải cách hành chính Thành phố",
                "Thành viên Đoàn khảo sát",
                "Lưu: VT, CCHC",
            ],
            year=year,
        )

    # -- Tờ trình đề xuất công nhận và nhân rộng -------------------------------------------

    def proposal(
        self, view: CampaignView, number: str | None = None, issued_on: date | None = None
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
                f"Sở Nội vụ đã tiếp nhận {_count_phrase(d.initiatives_active)} của "
                f"{d.agencies_participating} cơ quan, đơn vị; phối hợp với Tổ công tác Ban Chỉ "
                f"đạo Cải cách hành chính Thành phố tổ chức {d.rounds_confirmed} đợt khảo sát "
                f"thực tế, đánh giá {_count_phrase(d.surveyed)} (điểm trung bình "
                f"{_fmt(d.mean_score)}/100 điểm). Trên cơ sở kết quả đánh giá và ý kiến của sở, "
                f"ngành phụ trách lĩnh vực, Sở Nội vụ lựa chọn {_count_phrase(len(chosen))} "
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
                            f"Điểm đánh giá chung cuộc: {_fmt(rec.final_score)}/100 điểm "
                            f"({rec.evaluation_count} phiếu đánh giá)",
                            f"Phạm vi đề xuất: {SCOPE_VI[rec.scope]}",
                        ]
                    )
                )
                if life.results:
                    body.append(Paragraph(f"Kết quả đạt được: {life.results}"))
                body.append(Paragraph(f"Lý do đề xuất: {rec.rationale}"))
        else:
            body.append(
                Paragraph("Chưa có mô hình, giải pháp, sáng kiến nào đủ điều kiện đề xuất.")
            )
        body += [
            Heading("IV. TỔ CHỨC THỰC HIỆN"),
            Paragraph(
                "Sau khi được Chủ tịch Ủy ban nhân dân Thành phố công nhận, Sở Nội vụ phối hợp "
                "với các sở, ngành phụ trách lĩnh vực hướng dẫn các cơ quan, đơn vị triển khai áp "
                "dụng nhân rộng theo phạm vi được công nhận; theo dõi, tổng hợp kết quả, báo cáo "
                "Ủy ban nhân dân Thành phố."
            ),
            Paragraph(
                "Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, quyết định./."
            ),
        ]
        return self._document(
            kind="TỜ TRÌNH",
            title=(
                "Đề xuất công nhận và nhân rộng các mô hình, giải pháp, sáng kiến\n"
                f"về cải cách hành chính năm {year}"
            ),
            number=_number(number, "TTr-SNV"),
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

    # -- Phụ lục: Chỉ số CCHC ---------------------------------------------------------------

    def par_index_annex(
        self, view: CampaignView, number: str | None = None, issued_on: date | None = None
    ) -> AdministrativeDocument:
        year = view.year
        body = _par_annex_blocks(view, number, issued_on, heading=False)
        return self._document(
            kind="PHỤ LỤC",
            title=(
                "Kết quả khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính\n"
                f"của các cơ quan, đơn vị năm {year}"
            ),
            number=_number(number, "BC-SNV"),
            issued_on=issued_on,
            body=body,
            recipients=[],
            copies_to=["Lưu: VT, CCHC"],
            year=year,
        )

    # -- rendering ------------------------------------------------------------------------

    def campaign_document_model(
        self, view: CampaignView, kind: str, number: str | None, issued_on: date | None
    ) -> AdministrativeDocument:
        if kind == "survey-report":
            return self.campaign_report(view, number, issued_on)
        if kind == "proposal":
            return self.proposal(view, number, issued_on)
        if kind == "par-index-annex":
            return self.par_index_annex(view, number, issued_on)
        raise ValueError(f"unknown document {kind!r}")

    async def campaign_document(
        self,
        view: CampaignView,
        kind: str,
        fmt: str,
        number: str | None = None,
        issued_on: date | None = None,
    ) -> bytes:
        document = self.campaign_document_model(view, kind, number, issued_on)
        return await asyncio.to_thread(render, document, fmt)

    async def round_report_bytes(
        self,
        view: CampaignView,
        result: RoundResult,
        fmt: str,
        number: str | None = None,
        issued_on: date | None = None,
    ) -> bytes:
        document = self.round_report(view, result, number, issued_on)
        return await asyncio.to_thread(render, document, fmt)


def render(document: AdministrativeDocument, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(document)
    if fmt == "docx":
        return render_docx(document)
    raise ValueError(f"unknown format {fmt!r}")


def _par_annex_blocks(
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
    for letter, label, levels in groups:
        items = [r for r in view.par_index if r.unit_level in levels]
        if not items:
            continue
        rows.append((letter, label, None, None, None, None, None))
        for i, row in enumerate(items, start=1):
            rows.append(
                (
                    i,
                    row.unit_name,
                    row.submitted,
                    row.surveyed,
                    row.recommended,
                    _score(row.mean_score),
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
            f"(Kèm theo Báo cáo số {_number(number, 'BC-SNV')} "
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
        Bullets(_par_annex_notes(rule)),
    ]
    return blocks


def _par_annex_notes(rule: ParRuleFact | None) -> list[str]:
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
            f"Điểm Chỉ số CCHC: {_fmt(rule.per_submitted)} điểm cho mỗi đề xuất, "
            f"{_fmt(rule.per_surveyed)} điểm cho mỗi mô hình được khảo sát, "
            f"{_fmt(rule.per_recommended)} điểm cho mỗi mô hình được đề xuất nhân rộng; "
            f"tối đa {_fmt(rule.cap)} điểm"
        )
    return notes


def _findings(
    strengths_heading: str,
    limitations_heading: str,
    difficulties_heading: str,
    strengths: Iterable[str],
    limitations: Iterable[str],
    difficulties: Iterable[str],
) -> list[Block]:
    blocks: list[Block] = []
    for heading, texts in (
        (strengths_heading, strengths),
        (limitations_heading, limitations),
        (difficulties_heading, difficulties),
    ):
        blocks.append(Heading(heading, level=2))
        top = _top_texts(texts)
        blocks.append(Bullets(top) if top else Paragraph("Chưa có ý kiến của Đoàn khảo sát."))
    return blocks


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _tally(tally: dict[str, int]) -> EvaluationSummary:
    return EvaluationSummary(
        count=sum(tally.values()),
        mean=None,
        minimum=None,
        maximum=None,
        tally=tally,
    )
