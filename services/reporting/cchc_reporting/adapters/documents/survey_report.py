"""Báo cáo kết quả khảo sát (``…/BC-SNV``): for the whole campaign, with the PAR-Index annex,
and for one round."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from cchc_reporting.adapters.documents.assessment import assessment_blocks
from cchc_reporting.adapters.documents.common import (
    Grounds,
    Signer,
    annex_heading,
    count_phrase,
    decimal,
    dmy,
    doc_number,
    findings,
    letter,
    recommendation_phrase,
    reference,
    score_cell,
    tally_summary,
)
from cchc_reporting.adapters.documents.par_annex import annex_blocks
from cchc_reporting.domain.agencies import agency_info
from cchc_reporting.domain.facts import TeamMemberFact
from cchc_reporting.domain.labels import LEVEL_VI, ROLE_VI, ROUND_STATUS_VI, par_area_vi
from cchc_reporting.domain.read_models import CampaignView, InitiativeLife, RoundResult
from cchc_shared.documents import (
    AdministrativeDocument,
    BarChart,
    Block,
    Bullets,
    Heading,
    Paragraph,
    Table,
    vietnamese_date,
)

CHART_BARS: Final = 15
TOP_ROWS: Final = 10


def period(first: date | None, last: date | None, year: int) -> str:
    """ "từ ngày 01 tháng 6 năm 2023 đến ngày 31 tháng 10 năm 2023"; a single day is one
    date ("ngày 05 tháng 6 năm 2023")."""
    if first and last and first != last:
        return f"từ {vietnamese_date(first)} đến {vietnamese_date(last)}"
    if first or last:
        return vietnamese_date(first or last)  # type: ignore[arg-type]
    return f"trong năm {year}"


def _days(first: date | None, last: date | None) -> str:
    if first and last and first != last:
        return f"{dmy(first)} - {dmy(last)}"
    return dmy(first or last)


def _survey_period(view: CampaignView) -> str:
    d = view.dashboard
    return period(d.first_visit_on, d.last_visit_on, view.year)


def _ranking_table(
    lives: Sequence[tuple[int, InitiativeLife]], caption: str, first: str = "Hạng"
) -> Table:
    return Table(
        headers=(
            first,
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
                life.agency.full_name,
                par_area_vi(life.par_area),
                life.summary_scores.count,
                score_cell(life.mean_score),
            )
            for rank, life in lives
        ],
        caption=caption,
        column_widths=(0.9, 5, 3, 2.6, 1, 1.1),
    )


def _to_the_committee(
    signer: Signer,
    *,
    title: str,
    number: str | None,
    issued_on: date | None,
    body: Sequence[Block],
    copies_to: Sequence[str],
    year: int,
) -> AdministrativeDocument:
    """A report to the City People's Committee, copied to the Steering Committee."""
    return letter(
        signer,
        kind="BÁO CÁO",
        title=title,
        number=doc_number(number, "BC-SNV"),
        issued_on=issued_on,
        body=body,
        recipients=["Ủy ban nhân dân Thành phố"],
        copies_to=["Như trên", "Ban Chỉ đạo Cải cách hành chính Thành phố", *copies_to],
        year=year,
    )


def campaign_report(
    signer: Signer,
    view: CampaignView,
    number: str | None = None,
    issued_on: date | None = None,
    grounds: Grounds | None = None,
) -> AdministrativeDocument:
    grounds = grounds or Grounds()
    d = view.dashboard
    year = view.year
    this = reference("Báo cáo", number, "BC-SNV", issued_on, year)
    body: list[Block] = [
        Paragraph(
            f"Thực hiện {grounds.plan(view).citation}, Sở Nội vụ chủ trì, phối hợp với "
            "Tổ công tác Ban Chỉ đạo Cải cách hành chính Thành phố tổ chức khảo sát trực tiếp "
            "tại các cơ quan, "
            f"đơn vị {_survey_period(view)}. Sở Nội vụ báo cáo kết quả như sau:"
        ),
        Heading("I. TÌNH HÌNH TRIỂN KHAI"),
        Heading("1. Tiếp nhận đề xuất", level=2),
        Paragraph(
            f"Sở Nội vụ đã tiếp nhận {count_phrase(d.initiatives_received)} do "
            f"{d.agencies_participating} cơ quan, đơn vị đề xuất, trong đó "
            f"{d.withdrawn} đề xuất đã được đơn vị rút lại; còn "
            f"{count_phrase(d.initiatives_active)} được đưa vào danh sách khảo sát, gồm: "
            f"{d.by_kind['model']} mô hình, {d.by_kind['solution']} giải pháp và "
            f"{d.by_kind['initiative']} sáng kiến."
        ),
        Bullets(
            [
                f"{LEVEL_VI['city_department']}: {d.by_level['city_department']} đề xuất",
                f"{LEVEL_VI['vertical_agency']}: {d.by_level['vertical_agency']} đề xuất",
                "Ủy ban nhân dân thành phố Thủ Đức, các quận, huyện: "
                f"{d.by_level['district']} đề xuất",
                f"Ủy ban nhân dân các phường, xã, thị trấn: {d.by_level['commune']} đề xuất",
            ]
        ),
        Table(
            headers=(
                "Lĩnh vực cải cách hành chính",
                "Số mô hình đề xuất",
                "Số mô hình được khảo sát",
                "Số mô hình đề xuất nhân rộng",
                "Điểm TB",
            ),
            rows=[
                (
                    par_area_vi(a.par_area),
                    a.submitted,
                    a.surveyed,
                    a.recommended,
                    score_cell(a.mean_score),
                )
                for a in d.by_par_area
            ]
            + [
                (
                    "Tổng cộng",
                    d.initiatives_active,
                    d.surveyed,
                    d.recommended,
                    score_cell(d.mean_score),
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
            headers=("Đợt", "Thời gian", "Trưởng đoàn", "Số mô hình", "Số phiếu", "Điểm TB"),
            rows=[
                (
                    r.sequence,
                    _days(r.starts_on, r.ends_on)
                    + (
                        f" ({ROUND_STATUS_VI[r.status].lower()})" if r.status != "scheduled" else ""
                    ),
                    ", ".join(m.name for m in r.team if m.role == "head") or "—",
                    len(r.visits),
                    r.summary_scores.count,
                    score_cell(r.summary_scores.mean),
                )
                for r in view.rounds
            ],
            caption="Bảng 2. Các đợt khảo sát",
            column_widths=(0.8, 3.2, 3, 1.2, 1.2, 1.1),
        ),
        Heading("II. KẾT QUẢ KHẢO SÁT"),
        Heading("1. Kết quả chung", level=2),
        Paragraph(
            f"Đoàn khảo sát đã đánh giá {count_phrase(d.surveyed)} với {d.evaluations} "
            f"phiếu đánh giá của các thành viên; điểm trung bình đạt "
            f"{decimal(d.mean_score)}/100 điểm. Về đề xuất của thành viên Đoàn: "
            f"{recommendation_phrase(tally_summary(d.evaluation_tally))}."
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
    ranked = [(r.rank, r.life) for r in view.ranking[:TOP_ROWS]]
    if ranked:
        body.append(
            Paragraph(
                f"Bảng 3 nêu {len(ranked)} mô hình có điểm cao nhất; kết quả đánh giá đầy đủ "
                f"của {count_phrase(len(view.ranking))} được khảo sát tại Phụ lục II."
                if len(view.ranking) > TOP_ROWS
                else f"Kết quả đánh giá của {count_phrase(len(view.ranking))} được khảo sát "
                "nêu tại Bảng 3 và Phụ lục II."
            )
        )
        body.append(_ranking_table(ranked, "Bảng 3. Các mô hình có điểm trung bình cao nhất"))
    else:
        body.append(Paragraph("Chưa có mô hình nào được đánh giá."))
    lives = [life for life in view.lives.values() if not life.withdrawn]
    evaluations = [e for life in lives for e in life.evaluations]
    body += findings(
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
                f"nhân rộng {count_phrase(len(view.recommended))} (danh sách tại Phụ lục I; "
                "Tờ trình của Sở Nội vụ gửi kèm)."
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
            "huyện (Phụ lục III)."
        )
    )
    body.append(
        Paragraph(
            f"Trên đây là báo cáo kết quả khảo sát các mô hình, giải pháp, sáng kiến về "
            f"công tác cải cách hành chính năm {year}, Sở Nội vụ kính báo cáo Ủy ban nhân "
            f"dân Thành phố./."
        )
    )
    # The annexes travel with the report (the PAR-Index one is also served on its own).
    if view.recommended:
        body += annex_heading(
            "I",
            f"Danh sách mô hình, giải pháp, sáng kiến đề xuất công nhận và nhân rộng năm {year}",
            this,
        )
        body.append(
            _ranking_table(
                [(i, life) for i, life in enumerate(view.recommended, start=1)],
                "",
                first="STT",
            )
        )
    if view.ranking:
        body += annex_heading(
            "II", f"Kết quả đánh giá các mô hình, giải pháp, sáng kiến năm {year}", this
        )
        body.append(_ranking_table([(r.rank, r.life) for r in view.ranking], ""))
    body += annex_heading(
        "III",
        "Kết quả khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính của các cơ quan, "
        f"đơn vị năm {year}",
        this,
    )
    body += annex_blocks(view)
    return _to_the_committee(
        signer,
        title=(
            f"Kết quả khảo sát các mô hình, giải pháp, sáng kiến\nvề công tác cải cách hành "
            f"chính năm {year}"
        ),
        number=number,
        issued_on=issued_on,
        body=body,
        copies_to=[
            "Giám đốc, các Phó Giám đốc Sở",
            "Tổ công tác Ban Chỉ đạo Cải cách hành chính Thành phố",
            "Lưu: VT, CCHC",
        ],
        year=year,
    )


def _member_line(member: TeamMemberFact) -> str:
    """ "Trưởng đoàn: Bà Ngô Thị Hoàng Các, Phó Giám đốc Sở Nội vụ" (title and agency)."""
    who = f"{member.honorific} {member.name}" if member.honorific else member.name
    title = member.position or agency_info(member.agency_code).full_name
    return f"{ROLE_VI.get(member.role, member.role)}: {who}, {title}"


def round_report(
    signer: Signer,
    view: CampaignView,
    result: RoundResult,
    number: str | None = None,
    issued_on: date | None = None,
    grounds: Grounds | None = None,
) -> AdministrativeDocument:
    """The survey team's report on one round, from its head to the Director of the
    Department (who reports the campaign to the City)."""
    grounds = grounds or Grounds()
    year = view.year
    team = sorted(result.team, key=lambda m: ("head", "member", "secretary").index(m.role))
    head = next((m for m in team if m.role == "head"), None)
    lives = view.lives
    body: list[Block] = [
        Paragraph(
            f"Thực hiện {grounds.plan(view).citation}, Đoàn khảo sát đã tiến hành khảo sát "
            f"đợt {result.sequence} {period(result.starts_on, result.ends_on, year)}. Đoàn "
            "khảo sát báo cáo kết quả như sau:"
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
        Bullets([_member_line(m) for m in team] or ["Chưa có thông tin thành phần Đoàn"]),
        Heading("II. KẾT QUẢ KHẢO SÁT"),
        Heading("1. Các mô hình được khảo sát", level=2),
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
                    v.agency.full_name,
                    v.title or "(chưa nhận được hồ sơ đề xuất)",
                    dmy(v.date),
                    v.summary_scores.count,
                    score_cell(v.summary_scores.mean),
                )
                for i, v in enumerate(result.visits, start=1)
            ],
            caption=f"Bảng 1. Kết quả khảo sát đợt {result.sequence}",
            column_widths=(0.9, 3, 5, 1.6, 1, 1.1),
        ),
        Paragraph(
            f"Đoàn đã khảo sát {count_phrase(len(result.visits))}, trong đó "
            f"{result.visits_evaluated} mô hình đã có phiếu đánh giá "
            f"({result.summary_scores.count} phiếu; điểm trung bình "
            f"{decimal(result.summary_scores.mean)}/100 điểm; "
            f"{recommendation_phrase(result.summary_scores)})."
        ),
    ]
    scored = [v for v in result.visits if v.summary_scores.mean is not None][:CHART_BARS]
    if scored:
        body.append(
            BarChart(
                title=f"Biểu đồ 1. Điểm trung bình các mô hình khảo sát đợt {result.sequence}",
                categories=[v.agency.full_name for v in scored],
                values=[v.summary_scores.mean or 0.0 for v in scored],
                value_label="điểm",
            )
        )
    body.append(Heading("2. Kết quả khảo sát từng mô hình", level=2))
    assessed = [
        (i, v, life)
        for i, v in enumerate(result.visits, start=1)
        if (life := lives.get(v.initiative_id)) is not None and life.evaluations
    ]
    for i, v, life in assessed:
        body += assessment_blocks(life, f"2.{i}. {v.title} ({v.agency.full_name})")
    if not assessed:
        body.append(Paragraph("Chưa có phiếu đánh giá của thành viên Đoàn khảo sát."))
    body += findings(
        "3. Ưu điểm chung",
        "4. Hạn chế chung",
        "5. Khó khăn, vướng mắc chung",
        result.strengths,
        result.limitations,
        result.difficulties,
    )
    body.append(
        Paragraph(
            f"Trên đây là báo cáo kết quả khảo sát đợt {result.sequence} năm {year}, Đoàn khảo "
            "sát kính báo cáo Giám đốc Sở Nội vụ./."
        )
    )
    return AdministrativeDocument(
        kind="BÁO CÁO",
        title=(
            f"Kết quả khảo sát đợt {result.sequence} các mô hình, giải pháp, sáng kiến\n"
            f"về công tác cải cách hành chính năm {year}"
        ),
        number=doc_number(number, "BC-ĐKS"),
        issued_on=issued_on,
        body=body,
        recipients=["Giám đốc Sở Nội vụ"],
        copies_to=[
            "Như trên",
            "Thành viên Đoàn khảo sát",
            "Phòng Cải cách hành chính",
            "Lưu: Đoàn khảo sát",
        ],
        signer_authority="",
        signer_title="TRƯỞNG ĐOÀN",
        signer_name=head.name if head else "",
        issuer_parent="SỞ NỘI VỤ",
        issuer="ĐOÀN KHẢO SÁT\nCẢI CÁCH HÀNH CHÍNH",
        year=issued_on.year if issued_on else year,
    )
