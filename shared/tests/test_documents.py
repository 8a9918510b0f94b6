"""The document kit: ND30 administrative documents as PDF and DOCX, checked by reading them back."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from cchc_shared.documents import (
    AdministrativeDocument,
    BarChart,
    Bullets,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    render_docx,
    render_pdf,
    vietnamese_date,
)
from cchc_shared.documents._fonts import FONT_FILES, font_path
from cchc_shared.documents.model import format_number

STANDARD_14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic", "Symbol", "ZapfDingbats",
}  # fmt: skip

# Every Vietnamese letter, lower and upper case (NFC, precomposed).
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE_LETTERS += VIETNAMESE_LETTERS.upper()

UNITS = [
    "Ủy ban nhân dân Phường Bến Nghé, Quận 1",
    "Ủy ban nhân dân Quận 3",
    "Sở Tư pháp",
    "Ủy ban nhân dân Phường Tân Định, Quận 1",
    "Ủy ban nhân dân huyện Cần Giờ",
    "Sở Giao thông vận tải",
    "Ủy ban nhân dân thành phố Thủ Đức",
    "Cục Thuế Thành phố Hồ Chí Minh",
]
AREAS = [
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy hành chính nhà nước",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
]
TABLE_HEADERS = ["STT", "Tên mô hình, giải pháp, sáng kiến", "Cơ quan, đơn vị", "Lĩnh vực",
                 "Điểm", "Lượt người dân hưởng lợi"]  # fmt: skip


def _report(**changes: Any) -> AdministrativeDocument:
    rows: list[list[str | int | float | None]] = []
    for i in range(40):
        rows.append([
            i + 1,
            f"Mô hình “Một cửa điện tử liên thông” số {i + 1}: ứng dụng chuyển đổi số trong "
            "tiếp nhận, giải quyết hồ sơ thủ tục hành chính và trả kết quả cho người dân",
            UNITS[i % len(UNITS)],
            AREAS[i % len(AREAS)],
            70 + (i * 7) % 30 + 0.5 * (i % 2),
            1200 * i + 35,
        ])  # fmt: skip
    rows.append([41, "Sáng kiến chưa chấm điểm", "Sở Nội vụ", AREAS[3], None, None])
    fields: dict[str, Any] = {
        "kind": "BÁO CÁO",
        "title": "Kết quả khảo sát các mô hình, giải pháp, sáng kiến cải cách hành chính năm 2023",
        "number": "…/BC-SNV",
        "issued_on": date(2023, 11, 15),
        "recipients": ["Ủy ban nhân dân Thành phố Hồ Chí Minh",
                       "Ban Chỉ đạo cải cách hành chính Thành phố"],
        "copies_to": ["Như trên", "Bộ Nội vụ (để báo cáo)", "Giám đốc Sở Nội vụ",
                      "Các Phó Giám đốc Sở"],
        "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Thị Ngọc Hương",
        "body": [
            Paragraph("Thực hiện Kế hoạch số 1234/KH-UBND ngày 05 tháng 6 năm 2023 của Ủy ban "
                      "nhân dân Thành phố về khảo sát, đánh giá các mô hình, giải pháp, sáng kiến "
                      "cải cách hành chính năm 2023, Sở Nội vụ báo cáo kết quả như sau:"),
            Heading("I. KẾT QUẢ KHẢO SÁT"),
            Heading("1. Tình hình chung", level=2),
            Paragraph("Từ ngày 01 tháng 6 đến ngày 31 tháng 10 năm 2023, Đoàn khảo sát đã tổ "
                      "chức 6 đợt khảo sát trực tiếp tại 41 cơ quan, đơn vị, trong đó có Phường "
                      "Bến Nghé; các mô hình được đánh giá theo bộ tiêu chí thống nhất."),
            Heading("2. Ưu điểm, hạn chế", level=2),
            Bullets([
                "Ưu điểm: các mô hình có tính ứng dụng cao, được người dân đánh giá tích cực;",
                "Hạn chế: một số mô hình chưa có số liệu đo lường hiệu quả rõ ràng;",
                "Khó khăn, vướng mắc: nguồn lực tài chính và nhân lực còn hạn chế.",
            ]),
            Table(headers=TABLE_HEADERS, rows=rows,
                  caption="Bảng 1. Kết quả chấm điểm các mô hình, giải pháp, sáng kiến"),
            BarChart(title="Biểu đồ 1. Số mô hình theo lĩnh vực cải cách hành chính",
                     categories=AREAS, values=[4, 15, 3, 5, 2, 11], value_label="Số mô hình"),
            PageBreak(),
            Heading("II. ĐỀ XUẤT, KIẾN NGHỊ"),
            Paragraph("Sở Nội vụ kính đề nghị Ủy ban nhân dân Thành phố xem xét, công nhận và "
                      "chỉ đạo nhân rộng các mô hình nêu trên./."),
        ],
    }  # fmt: skip
    fields.update(changes)
    return AdministrativeDocument(**fields)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _flat(text: str) -> str:
    """NFC, with every run of white space (line breaks, no-break spaces) as one space."""
    return re.sub(r"\s+", " ", _nfc(text)).strip()


@dataclass(frozen=True)
class Run:
    text: str
    x: float
    y: float
    font: str
    size: float


def _runs(page: Any) -> list[Run]:
    """The text pieces of a PDF page with their positions (points from the bottom left)."""
    runs: list[Run] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            name = str(font.get("/BaseFont", "")) if font else ""
            runs.append(Run(_nfc(text), x, y, name, size * abs(tm[0]) * abs(cm[0] or 1)))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.fixture(scope="module")
def report() -> AdministrativeDocument:
    return _report()


@pytest.fixture(scope="module")
def pdf(report: AdministrativeDocument) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(report)))


@pytest.fixture(scope="module")
def pdf_text(pdf: PdfReader) -> str:
    return _flat("\n".join(page.extract_text() for page in pdf.pages))


@pytest.fixture(scope="module")
def word(report: AdministrativeDocument) -> Any:
    return docx.Document(io.BytesIO(render_docx(report)))


def _docx_text(document: Any) -> str:
    parts: list[str] = []

    def walk(container: Any) -> None:
        for paragraph in container.paragraphs:
            parts.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    return _flat("\n".join(parts))


REQUIRED = [
    "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH",
    "SỞ NỘI VỤ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: …/BC-SNV",
    "Thành phố Hồ Chí Minh, ngày 15 tháng 11 năm 2023",
    "BÁO CÁO",
    "Kết quả khảo sát các mô hình, giải pháp, sáng kiến cải cách hành chính năm 2023",
    "Kính gửi: - Ủy ban nhân dân Thành phố Hồ Chí Minh; "
    "- Ban Chỉ đạo cải cách hành chính Thành phố.",
    "I. KẾT QUẢ KHẢO SÁT",
    "Phường Bến Nghé",
    "Ủy ban nhân dân",
    "- Ưu điểm: các mô hình có tính ứng dụng cao, được người dân đánh giá tích cực;",
    "Bảng 1. Kết quả chấm điểm các mô hình, giải pháp, sáng kiến",
    "Biểu đồ 1. Số mô hình theo lĩnh vực cải cách hành chính",
    "II. ĐỀ XUẤT, KIẾN NGHỊ",
    "Nơi nhận:",
    "- Như trên;",
    "- Bộ Nội vụ (để báo cáo);",
    "- Lưu: VT, CCHC.",
    "KT. GIÁM ĐỐC",
    "PHÓ GIÁM ĐỐC",
    "Nguyễn Thị Ngọc Hương",
    # words with ơ and ư
    "Thực hiện Kế hoạch",
    "người dân",
    "Ưu điểm",
    "Cơ quan, đơn vị",
    "Lượt người dân hưởng lợi",
    "1.235",  # 1,235 in the Vietnamese number style
    "77,5",
]


# --- vietnamese_date and the model ----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 6, 5), "ngày 05 tháng 6 năm 2023"),
        (date(2023, 11, 15), "ngày 15 tháng 11 năm 2023"),
        (date(2023, 1, 15), "ngày 15 tháng 01 năm 2023"),
        (date(2023, 2, 9), "ngày 09 tháng 02 năm 2023"),
        (date(2023, 3, 1), "ngày 01 tháng 3 năm 2023"),
        (date(2023, 10, 10), "ngày 10 tháng 10 năm 2023"),
    ],
)
def test_vietnamese_date_follows_nd30(day: date, expected: str) -> None:
    assert vietnamese_date(day) == expected


def test_unissued_document_keeps_blanks_for_day_and_month() -> None:
    doc = _report(issued_on=None, year=2023, body=[])
    assert re.fullmatch(r"Thành phố Hồ Chí Minh, ngày\s+tháng\s+năm 2023", doc.date_line)
    text = _flat(PdfReader(io.BytesIO(render_pdf(doc))).pages[0].extract_text())
    assert re.search(r"Thành phố Hồ Chí Minh, ngày\s+tháng\s+năm 2023", text)


def test_text_is_nfc_normalised_on_the_way_in() -> None:
    nfd = unicodedata.normalize("NFD", "Phường Bến Nghé")
    assert nfd != "Phường Bến Nghé"
    table = Table(headers=[nfd], rows=[[nfd], [3]])
    assert table.headers == ("Phường Bến Nghé",)
    assert table.rows[0] == ("Phường Bến Nghé",)
    doc = _report(title=nfd, recipients=[nfd], copies_to=[nfd], body=[Paragraph(nfd)])
    assert doc.title == doc.recipients[0] == doc.copies_to[0] == "Phường Bến Nghé"
    assert doc.body == (Paragraph("Phường Bến Nghé"),)
    first_page = PdfReader(io.BytesIO(render_pdf(doc))).pages[0]
    assert "Phường Bến Nghé" in _flat(first_page.extract_text())


def test_model_rejects_malformed_blocks() -> None:
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        Table(headers=["A", "B"], rows=[["x"]])
    with pytest.raises(ValueError):
        BarChart(title="x", categories=["a", "b"], values=[1])
    with pytest.raises(TypeError):
        _report(body=["not a block"])
    with pytest.raises(TypeError):
        Bullets("one string, not a list")


def test_number_style_and_list_punctuation(report: AdministrativeDocument) -> None:
    assert format_number(1234567) == "1.234.567"
    assert format_number(77.5) == "77,50"  # scores: two decimals
    assert format_number(1234.25) == "1.234,25"
    assert format_number(80.0) == "80,00"
    assert format_number(6640) == "6.640"
    assert format_number(None) == ""
    assert report.copies_lines == (
        "- Như trên;", "- Bộ Nội vụ (để báo cáo);", "- Giám đốc Sở Nội vụ;",
        "- Các Phó Giám đốc Sở;", "- Lưu: VT, CCHC.",
    )  # fmt: skip
    own = _report(copies_to=["Như trên;", "Lưu: VT, P.TCBM."])
    assert own.copies_lines == ("- Như trên;", "- Lưu: VT, P.TCBM.")
    single = _report(recipients=["Ủy ban nhân dân Thành phố Hồ Chí Minh"])
    assert single.recipient_lines == ("Ủy ban nhân dân Thành phố Hồ Chí Minh.",)


# --- PDF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("part", REQUIRED)
def test_pdf_has_the_required_parts(pdf_text: str, part: str) -> None:
    assert _flat(part) in pdf_text


def test_pdf_is_a4_and_keeps_the_margins(pdf: PdfReader) -> None:
    mm = 72 / 25.4
    for page in pdf.pages:
        assert float(page.mediabox.width) == pytest.approx(210 * mm, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(297 * mm, abs=0.5)
    first = _runs(pdf.pages[0])
    left = min(r.x for r in first)
    assert 30 * mm - 1 <= left <= 35 * mm + 1
    top_text = max(r.y + r.size for r in first)
    assert 297 * mm - top_text >= 20 * mm - 2  # nothing above the 20 mm top margin on page 1


def test_pdf_fonts_are_embedded_and_not_standard(pdf: PdfReader) -> None:
    seen = set()
    for page in pdf.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            base = str(font["/BaseFont"]).lstrip("/")
            seen.add(base.split("+")[-1])
            assert base not in STANDARD_14
            assert font["/Subtype"] == "/TrueType"
            assert "/FontFile2" in font["/FontDescriptor"], base
            assert "/ToUnicode" in font  # so the text can be extracted and searched
    assert seen == {"Tinos", "Tinos-Bold", "Tinos-Italic", "Tinos-BoldItalic"}


def test_vendored_fonts_cover_every_vietnamese_letter_and_the_document(
    report: AdministrativeDocument, pdf_text: str
) -> None:
    used = {c for c in pdf_text if not c.isspace()}
    for bold, italic in FONT_FILES:
        cmap = TTFont(str(font_path(bold, italic))).getBestCmap()
        missing = [c for c in VIETNAMESE_LETTERS if ord(c) not in cmap]
        assert not missing, (bold, italic, missing)
        assert not [c for c in used if ord(c) not in cmap]
    assert len(VIETNAMESE_LETTERS) == 2 * (12 * 6 + 17)  # 12 vowels in 6 tones, 17 consonants
    assert (font_path().parent / "OFL.txt").is_file()


def test_pdf_numbers_pages_from_the_second_at_the_top_centre(pdf: PdfReader) -> None:
    mm = 72 / 25.4
    centre = (30 + (210 - 30 - 15) / 2) * mm
    assert len(pdf.pages) >= 4
    for number, page in enumerate(pdf.pages, start=1):
        in_margin = [r for r in _runs(page) if r.y > (297 - 20) * mm]
        if number == 1:
            assert not in_margin
        else:
            assert [r.text.strip() for r in in_margin] == [str(number)]
            width = in_margin[0].size * 0.5 * len(str(number))
            assert in_margin[0].x + width / 2 == pytest.approx(centre, abs=2)


def test_pdf_table_repeats_its_header_and_right_aligns_numbers(pdf: PdfReader) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from cchc_shared.documents._fonts import pdf_font_name, register_pdf_fonts

    register_pdf_fonts()
    pages_with_rows = []
    right_edges = []
    for page in pdf.pages:
        text = _flat(page.extract_text())
        if "Mô hình “Một cửa điện tử liên thông” số" in text:
            pages_with_rows.append(page)
            assert "Tên mô hình, giải pháp, sáng kiến" in text
            assert "Lượt người dân hưởng lợi" in text
        for run in _runs(page):
            if re.fullmatch(r"\d{1,2}\.\d{3}", run.text.strip()) and run.size == 12:
                width = stringWidth(run.text.strip(), pdf_font_name(), 12)
                right_edges.append(run.x + width)
    assert len(pages_with_rows) >= 3
    assert len(right_edges) >= 30
    assert max(right_edges) - min(right_edges) < 0.5  # one right edge for every figure


def test_pdf_rendering_is_deterministic(report: AdministrativeDocument) -> None:
    assert render_pdf(report) == render_pdf(report)


def test_pdf_layout_of_the_header_block(pdf: PdfReader) -> None:
    runs = {r.text.strip(): r for r in _runs(pdf.pages[0])}
    national = runs["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    issuer = runs["SỞ NỘI VỤ"]
    date_line = next(r for t, r in runs.items() if t.startswith("Thành phố Hồ Chí Minh, ngày"))
    number = runs["Số: …/BC-SNV"]
    kind = runs["BÁO CÁO"]
    assert "Bold" in national.font and "Bold" in issuer.font and "Bold" in kind.font
    assert "Italic" in date_line.font
    assert issuer.x < national.x  # issuing body left, national title right
    assert abs(number.y - date_line.y) < 1  # number and date on one line
    assert kind.y < date_line.y
    copies = next(r for r in _runs(pdf.pages[-1]) if r.text.strip() == "Nơi nhận:")
    signer = next(r for r in _runs(pdf.pages[-1]) if r.text.strip() == "KT. GIÁM ĐỐC")
    assert "BoldItalic" in copies.font and copies.size == 12
    assert copies.x < signer.x and abs(copies.y - signer.y) < 3


# --- DOCX -----------------------------------------------------------------------------------


@pytest.mark.parametrize("part", REQUIRED)
def test_docx_has_the_required_parts(word: Any, part: str) -> None:
    assert _flat(part) in _docx_text(word)


def test_docx_page_setup_follows_nd30(word: Any) -> None:
    for section in word.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.1)  # Word keeps twips
        assert abs(section.page_height - Mm(297)) < Mm(0.1)
        assert Mm(20) <= section.top_margin <= Mm(25)
        assert Mm(20) <= section.bottom_margin <= Mm(25)
        assert Mm(30) <= section.left_margin <= Mm(35)
        assert Mm(15) <= section.right_margin <= Mm(20)
        assert section.different_first_page_header_footer
        header_xml = section.header._element.xml
        assert "PAGE" in header_xml and "fldChar" in header_xml
        assert not section.first_page_header.paragraphs[0].text


def test_docx_font_is_times_new_roman_everywhere(word: Any) -> None:
    normal = word.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.rFonts
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert fonts.get(docx.oxml.ns.qn(attr)) == "Times New Roman"
    for paragraph in word.paragraphs:
        for run in paragraph.runs:
            assert run.font.name in (None, "Times New Roman")


def test_docx_table_chart_and_signature(word: Any) -> None:
    data = next(t for t in word.tables if t.rows[0].cells[0].text == "STT")
    assert [c.text for c in data.rows[0].cells] == TABLE_HEADERS
    assert len(data.rows) == 42
    assert "w:tblHeader" in data.rows[0]._tr.xml  # repeats on every page
    assert all("w:cantSplit" in r._tr.xml for r in data.rows[1:])
    row = data.rows[3].cells
    assert row[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert row[5].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert row[5].text == "2.435"
    assert row[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert len(word.inline_shapes) == 1  # the chart, as a PNG
    png = word.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert word.part.related_parts[png].content_type == "image/png"
    alt = word.inline_shapes[0]._inline.docPr.get("descr")
    assert "Cải cách thủ tục hành chính: 15" in alt
    header = word.tables[0]
    assert header.rows[0].cells[0].paragraphs[1].runs[0].bold  # SỞ NỘI VỤ
    assert header.rows[0].cells[1].paragraphs[0].runs[0].bold  # quốc hiệu
    assert header.rows[1].cells[1].paragraphs[0].runs[0].italic  # place and date
    signature = word.tables[-1]
    label = signature.rows[0].cells[0].paragraphs[0].runs[0]
    assert label.text == "Nơi nhận:" and label.bold and label.italic
    assert label.font.size.pt == 12
    assert signature.rows[0].cells[0].paragraphs[1].runs[0].font.size.pt == 11
    name = signature.rows[0].cells[1].paragraphs[-1]
    assert name.text == "Nguyễn Thị Ngọc Hương" and name.runs[0].bold


def test_a_notice_with_one_recipient_signed_in_own_name() -> None:
    notice = AdministrativeDocument(
        kind="Thông báo",
        title="Lịch khảo sát đợt 2 các mô hình cải cách hành chính năm 2023",
        number="125/TB-SNV",
        issued_on=date(2023, 6, 5),
        recipients=["Ủy ban nhân dân Phường Bến Nghé, Quận 1"],
        copies_to=["Như trên"],
        signer_title="Giám đốc",
        signer_name="Trần Văn Lực",
        body=[Paragraph("Đoàn khảo sát sẽ làm việc tại Ủy ban nhân dân Phường Bến Nghé vào lúc "
                        "08 giờ 30 phút, thứ Hai, ngày 12 tháng 6 năm 2023.")],
    )  # fmt: skip
    pdf_text = _flat("\n".join(p.extract_text() for p in PdfReader(
        io.BytesIO(render_pdf(notice))).pages))  # fmt: skip
    word_text = _docx_text(docx.Document(io.BytesIO(render_docx(notice))))
    for text in (pdf_text, word_text):
        assert "THÔNG BÁO" in text
        assert "Số: 125/TB-SNV" in text
        assert "Thành phố Hồ Chí Minh, ngày 05 tháng 6 năm 2023" in text
        assert "Kính gửi: Ủy ban nhân dân Phường Bến Nghé, Quận 1." in text
        assert "GIÁM ĐỐC Trần Văn Lực" in text
        assert "KT." not in text
        assert "- Như trên; - Lưu: VT, CCHC." in text


def test_column_widths_give_room_to_long_text_and_keep_short_columns_narrow(
    report: AdministrativeDocument,
) -> None:
    from cchc_shared.documents import _layout as L
    from cchc_shared.documents._fonts import text_width

    total = L.TEXT_WIDTH_MM * L.MM
    table = next(b for b in report.body if isinstance(b, Table))
    widths = L.column_widths(table, total, L.SIZE_TABLE)
    assert sum(widths) == pytest.approx(total)
    stt, name, _unit, _area, score, _people = widths
    assert stt < 0.1 * total and score < 0.1 * total
    assert name == max(widths)
    for index, header in enumerate(table.headers):
        words = [*header.split(), *(w for row in table.rows for w in format_number(
            row[index]).split())]  # fmt: skip
        longest = max(text_width(w, L.SIZE_TABLE, bold=w in header.split()) for w in words)
        assert widths[index] >= longest + 2 * L.CELL_MARGIN_PT
    schedule = Table(
        headers=["Ngày", "Giờ", "Cơ quan, đơn vị được khảo sát", "Địa điểm"],
        rows=[["Thứ Hai, 12/6/2023", "08 giờ 30", "Ủy ban nhân dân Phường Bến Nghé, Quận 1",
               "29 Nguyễn Thị Minh Khai, Phường Bến Nghé, Quận 1"]],
    )  # fmt: skip
    hour = L.column_widths(schedule, total, L.SIZE_TABLE)[1]
    assert hour >= text_width("08 giờ 30", L.SIZE_TABLE) + 2 * L.CELL_MARGIN_PT  # one line
    fixed = Table(headers=["A", "B"], rows=[["x", 1]], column_widths=(1, 3))
    assert L.column_widths(fixed, 400, 12) == pytest.approx([100, 300])
    # A weight too small for the column's longest word is raised to it; the others give way.
    starved = Table(headers=["STT", "Điểm", "Tên"], rows=[[1, 95.67, "x " * 40]],
                    column_widths=(0.1, 0.1, 10))  # fmt: skip
    widths = L.column_widths(starved, 400, 12)
    assert sum(widths) == pytest.approx(400)
    assert widths[0] >= text_width("STT", 12, bold=True) + L.CELL_PADDING_PT - 1e-6
    assert widths[1] >= text_width("95,67", 12) + L.CELL_PADDING_PT - 1e-6


def test_a_long_single_recipient_wraps_under_itself() -> None:
    recipient = "Bà Lê Thị Thu Trang, Phó Trưởng phòng Cải cách hành chính, Sở Nội vụ Thành phố"
    doc = _report(recipients=[recipient], body=[Paragraph("Kính mời Bà tham dự./.")])
    runs = _runs(PdfReader(io.BytesIO(render_pdf(doc))).pages[0])
    label = next(r for r in runs if r.text.strip().startswith("Kính gửi"))
    after = [r for r in runs if label.y - 40 < r.y <= label.y + 1 and r.x > label.x + 5]
    assert len({round(r.y) for r in after}) == 2  # two lines beside the label
    assert len({round(r.x, 1) for r in after}) == 1  # aligned on one left edge
    text = _flat(" ".join(r.text for r in after))
    assert text == recipient + "."
    word = docx.Document(io.BytesIO(render_docx(doc)))
    assert "Kính gửi: Bà Lê Thị Thu Trang" in _docx_text(word)


def test_markup_characters_are_text() -> None:
    tricky = "Điểm <b>cao</b> & “xuất sắc” > 90"
    doc = _report(
        title=tricky,
        body=[Paragraph(tricky), Table(headers=["Ghi chú", "Điểm"], rows=[[tricky, 91.5]])],
    )
    pdf_text = _flat(PdfReader(io.BytesIO(render_pdf(doc))).pages[0].extract_text())
    word_text = _docx_text(docx.Document(io.BytesIO(render_docx(doc))))
    for text in (pdf_text, word_text):
        assert text.count(tricky) == 3
        assert "91,5" in text


def test_no_word_is_broken_inside_a_cell_of_the_pdf() -> None:
    """The PDF's own text: narrow weights, a time and a date stay whole in their cells."""
    table = Table(
        headers=["STT", "Ngày", "Giờ", "Điểm", "Tên mô hình"],
        rows=[[i, "10/07/2023", "08\u00a0giờ\u00a000", 95.67, "Một tên dài " * 6]
              for i in range(1, 4)],
        column_widths=(0.2, 0.3, 0.3, 0.2, 10),
    )  # fmt: skip
    pdf = render_pdf(_report(body=[table]))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    lines = text.splitlines()
    for whole in ("STT", "Điểm", "10/07/2023", "95,67"):
        assert any(whole in line for line in lines), whole
    assert sum("08 giờ 00" in line or "08\u00a0giờ\u00a000" in line for line in lines) == 3
