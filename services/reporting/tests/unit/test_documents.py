"""The documents' content: the PDF's extracted text carries every required part with correct
Vietnamese (NFC), its fonts are embedded and hold a real glyph for every character used; the
DOCX opens with python-docx and has the same parts."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Any

import docx
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from cchc_reporting.adapters.documents import DocumentBuilder, render
from cchc_reporting.domain.read_models import CampaignView
from cchc_shared.documents import AdministrativeDocument

from ..campaign import AMENDED_TITLE_A, SPEC, campaign_messages, uid
from .test_views import view_of

NATIONAL = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
ISSUER = ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH", "SỞ NỘI VỤ"]
SIGNATURE = ["Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Ngô Thị Hoàng Các", "Lưu: VT, CCHC"]

REPORT_PARTS = [
    *NATIONAL,
    *ISSUER,
    *SIGNATURE,
    "Số: 125/BC-SNV",
    "Thành phố Hồ Chí Minh, ngày 15 tháng 11 năm 2023",
    "BÁO CÁO",
    "Kết quả khảo sát các mô hình, giải pháp, sáng kiến",
    "Kính gửi: Ủy ban nhân dân Thành phố.",
    "I. TÌNH HÌNH TRIỂN KHAI",
    "II. KẾT QUẢ KHẢO SÁT",
    "III. ĐỀ XUẤT, KIẾN NGHỊ",
    "Sở Nội vụ đã tiếp nhận 8 mô hình, giải pháp, sáng kiến do 5 cơ quan, đơn vị đề xuất",
    "từ ngày 12 tháng 6 năm 2023 đến ngày 19 tháng 7 năm 2023",
    "Bảng 1. Đề xuất và kết quả khảo sát theo lĩnh vực",
    "Bảng 2. Các đợt khảo sát",
    "Bảng 3. Các mô hình có điểm trung bình cao nhất",
    "Biểu đồ 1. Điểm trung bình theo lĩnh vực cải cách hành chính",
    "điểm trung bình đạt 78,00/100 điểm",
    "7 phiếu đề xuất nhân rộng; 4 phiếu cần hoàn thiện thêm; 2 phiếu không đề xuất",
    "3. Ưu điểm",
    "4. Hạn chế",
    "5. Khó khăn, vướng mắc",
    "Hạ tầng công nghệ thông tin chưa đồng bộ",
    "Thiếu nhân lực có chuyên môn",
    f"Ưu điểm của {SPEC['E'].title}: người dân hài lòng",
    SPEC["E"].title,
    "Cải cách thủ tục hành chính",
    "83,44",  # the procedures area's mean, Vietnamese decimal comma
    "PHỤ LỤC I",
    "PHỤ LỤC II",
    "PHỤ LỤC III",
    "(Kèm theo Báo cáo số 125/BC-SNV ngày 15 tháng 11 năm 2023 của Sở Nội vụ)",
    "79,83",  # Sở Tư pháp in the PAR-Index annex
]
PROPOSAL_PARTS = [
    *NATIONAL,
    *ISSUER,
    *SIGNATURE,
    "TỜ TRÌNH",
    "/TTr-SNV",
    "Kính gửi: Chủ tịch Ủy ban nhân dân Thành phố.",
    "Căn cứ Kế hoạch số 4257/KH-UBND ngày 16 tháng 12 năm 2021",
    "Căn cứ Quyết định số 4291/QĐ-UBND ngày 09 tháng 12 năm 2022",
    "II. TIÊU CHÍ VÀ NGƯỠNG ĐỀ XUẤT",
    "đạt từ 70,00 điểm trở lên",
    "III. KẾT QUẢ LỰA CHỌN",
    "Bảng 1. Kết quả lựa chọn theo lĩnh vực",
    "PHỤ LỤC I",
    "PHỤ LỤC II",
    "(Kèm theo Tờ trình số",
    f"Mô hình: {AMENDED_TITLE_A}",
    f"Mô hình: {SPEC['D'].title}",
    "Nhân rộng toàn Thành phố",
    "Nhân rộng cấp huyện",
    "Lý do đề xuất: Đạt 85,33/100 điểm (ngưỡng đề xuất 70,00 điểm) qua 3 phiếu đánh giá",
    "DỰ THẢO",
    "QUYẾT ĐỊNH",
    "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH",
    "Số: /QĐ-UBND",
    "Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, quyết định./.",
    "Văn phòng Ủy ban nhân dân Thành phố",
]
ANNEX_PARTS = [
    "PHỤ LỤC III",
    "(Kèm theo Báo cáo số /BC-SNV ngày tháng năm 2023 của Sở Nội vụ)",
    "Điểm Chỉ số cải cách hành chính năm 2023 từ kết quả khảo sát",
    "Cách tính điểm",
    "SỞ, BAN, NGÀNH",
    "CƠ QUAN NGÀNH DỌC",
    "ỦY BAN NHÂN DÂN THÀNH PHỐ THỦ ĐỨC, CÁC QUẬN, HUYỆN",
    "Sở Tư pháp",
    "Cục Thuế Thành phố",
    "Thành phố Thủ Đức",
    "Huyện Cần Giờ",
    "82,50",  # Quận 1 with its ward Bến Nghé
    "65,33",
    "tính cả các mô hình, giải pháp, sáng kiến do Ủy ban nhân dân các phường, xã, thị trấn",
]
ROUND_PARTS = [
    *NATIONAL,
    "SỞ NỘI VỤ",
    "ĐOÀN KHẢO SÁT",
    "Kính gửi: Giám đốc Sở Nội vụ.",
    "TRƯỞNG ĐOÀN",
    "Nơi nhận:",
    "Kết quả khảo sát đợt 2",
    "từ ngày 17 tháng 7 năm 2023 đến ngày 21 tháng 7 năm 2023",
    "I. THÀNH PHẦN ĐOÀN KHẢO SÁT",
    "Trưởng đoàn: Ngô Thị Hoàng Các",
    "Thành viên: Võ Minh Đức",
    "Kết quả khảo sát từng mô hình",
    "Bảng 1. Kết quả khảo sát đợt 2",
    "Phường Bến Nghé",
    SPEC["E"].title,
    "Biểu đồ 1. Điểm trung bình các mô hình khảo sát đợt 2",
    "Thành viên Đoàn khảo sát",
]


@pytest.fixture(scope="module")
def view() -> CampaignView:
    return view_of(campaign_messages())


def documents(view: CampaignView) -> Iterator[tuple[str, AdministrativeDocument, list[str]]]:
    builder = DocumentBuilder()
    yield "report", builder.campaign_report(view, "125", date(2023, 11, 15)), REPORT_PARTS
    yield "proposal", builder.proposal(view), PROPOSAL_PARTS
    yield "annex", builder.par_index_annex(view), ANNEX_PARTS
    round_2 = next(r for r in view.rounds if r.round_id == uid("round-2"))
    yield "round", builder.round_report(view, round_2), ROUND_PARTS


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(reader: PdfReader) -> str:
    return flat("\n".join(page.extract_text() for page in reader.pages))


def _to_unicode(font: Any) -> dict[int, str]:
    """Character code -> text, from the font's ToUnicode CMap."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping: dict[int, str] = {}

    def text(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = text(target)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = ord(text(start))
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


@pytest.mark.parametrize("which", ["report", "proposal", "annex", "round"])
def test_pdf_has_every_part_and_embeds_fonts_covering_its_text(
    view: CampaignView, which: str
) -> None:
    name, document, parts = next(d for d in documents(view) if d[0] == which)
    reader = PdfReader(io.BytesIO(render(document, "pdf")))
    text = pdf_text(reader)
    assert text == unicodedata.normalize("NFC", text)
    missing = [part for part in parts if flat(part) not in text]
    assert not missing, (name, missing)

    covered: set[str] = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]  # embedded TrueType
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            # ReportLab's subsets map the PDF's one-byte codes through a (1, 0) cmap
            glyphs = {code: g for table in program["cmap"].tables for code, g in table.cmap.items()}
            glyf = program["glyf"]
            for code, char in _to_unicode(font).items():
                glyph = glyphs.get(code)
                # a real outline (not .notdef, not empty) for every letter the PDF uses
                if glyph and glyph != ".notdef" and glyf[glyph].numberOfContours != 0:
                    covered.add(char)
    used = {c for c in text if c.isalpha()}
    assert used - covered == set()
    assert set("ơưđĐâêôếộạảỦ") <= used  # the fixture really exercises Vietnamese letters


@pytest.mark.parametrize("which", ["report", "proposal", "annex", "round"])
def test_docx_opens_with_python_docx_and_has_the_same_parts(view: CampaignView, which: str) -> None:
    name, document, parts = next(d for d in documents(view) if d[0] == which)
    word = docx.Document(io.BytesIO(render(document, "docx")))
    chunks = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                chunks.extend(p.text for p in cell.paragraphs)
    text = flat("\n".join(chunks))
    missing = [part for part in parts if flat(part) not in text]
    assert not missing, (name, missing)
    section = word.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_the_ranking_table_lists_the_best_first(view: CampaignView) -> None:
    document = DocumentBuilder().campaign_report(view)
    word = docx.Document(io.BytesIO(render(document, "docx")))
    ranking = next(t for t in word.tables if t.rows[0].cells[0].text == "Hạng" and len(t.rows) == 6)
    assert [(r.cells[0].text, r.cells[1].text) for r in ranking.rows[1:]] == [
        ("1", SPEC["D"].title),
        ("2", AMENDED_TITLE_A),
        ("3", SPEC["E"].title),
        ("4", SPEC["B"].title),
        ("5", SPEC["C"].title),
    ]
    assert [r.cells[5].text for r in ranking.rows[1:]] == [
        "87,00",
        "85,33",
        "78,00",
        "74,33",
        "65,33",
    ]
