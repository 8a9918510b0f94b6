"""DOCX rendering with python-docx, in the same ND30 layout as the PDF."""

from __future__ import annotations

import io
import math
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from docx import Document as new_document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips

from . import _layout as L
from ._chart import chart_png
from ._fonts import DOCX_FONT_NAME, text_width
from .model import (
    AdministrativeDocument,
    BarChart,
    Block,
    Bullets,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    format_number,
)

MM = L.MM
TEXT_WIDTH = L.TEXT_WIDTH
_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _set_fonts(rpr: Any) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), DOCX_FONT_NAME)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")


def _para(
    container: Any,
    text: str = "",
    size: float = L.SIZE_BODY,
    bold: bool = False,
    italic: bool = False,
    align: str = "center",
    indent_pt: float = 0.0,
    before: float = 0.0,
    after: float = 0.0,
    line_spacing: float = 1.1,
    keep_with_next: bool = False,
    reuse_first: bool = False,
) -> Any:
    """Add a paragraph (or fill a cell's first, empty one) with one run of ``text``."""
    if reuse_first and container.paragraphs and not container.paragraphs[0].text:
        paragraph = container.paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = _ALIGN[align]
    fmt.first_line_indent = Pt(indent_pt) if indent_pt else None
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = line_spacing
    fmt.widow_control = True
    if keep_with_next:
        fmt.keep_with_next = True
    if text:
        _run(paragraph, text, size, bold, italic)
    else:
        _mark_size(paragraph, size)
    return paragraph


def _run(paragraph: Any, text: str, size: float, bold: bool = False, italic: bool = False) -> Any:
    parts = text.split("\n")
    run = paragraph.add_run(parts[0])
    for part in parts[1:]:
        run.add_break(WD_BREAK.LINE)
        run.add_text(part)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    return run


def _mark_size(paragraph: Any, size: float) -> None:
    """Size of an empty paragraph's mark (its height), which Word takes from pPr/rPr."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(round(size * 2)))
    rpr.append(sz)
    ppr.append(rpr)


def _rule(container: Any, cell_width_pt: float, rule_pt: float, reuse_first: bool = False) -> None:
    """A centred rule ``rule_pt`` long: the bottom border of an indented, tiny paragraph."""
    paragraph = _para(container, size=2, line_spacing=1.0, reuse_first=reuse_first)
    side = max(0.0, (cell_width_pt - rule_pt) / 2)
    paragraph.paragraph_format.left_indent = Pt(side)
    paragraph.paragraph_format.right_indent = Pt(side)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "5")  # eighths of a point
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    # pBdr must precede spacing/ind/jc in CT_PPr's sequence.
    anchor = None
    for tag in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr"):
        anchor = ppr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def _plain_table(doc: Any, rows: int, widths_pt: list[float], style: str | None = None) -> Any:
    table = doc.add_table(rows=rows, cols=len(widths_pt))
    if style:
        table.style = doc.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_pt, strict=True):
        col.set(qn("w:w"), str(round(width * 20)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_pt, strict=True):
            cell.width = Pt(width)
    return table


def _cell_margins(table: Any, top: float = 0, side: float = 0, bottom: float = 0) -> None:
    """Cell margins of the whole table, in points (Word's default is 0.19 cm left and right)."""
    margins = OxmlElement("w:tblCellMar")
    for name, value in (("top", top), ("left", side), ("bottom", bottom), ("right", side)):
        element = OxmlElement(f"w:{name}")
        element.set(qn("w:w"), str(round(value * 20)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _header(doc: Any, d: AdministrativeDocument) -> None:
    left_w = L.HEADER_LEFT_MM * MM
    right_w = L.HEADER_RIGHT_MM * MM
    table = _plain_table(doc, 2, [left_w, right_w])
    _cell_margins(table)
    left, right = table.rows[0].cells
    parent = L.split_balanced(d.issuer_parent, L.SIZE_ISSUER, left_w - 2) if d.issuer_parent else []
    issuer = L.split_balanced(d.issuer, L.SIZE_ISSUER, left_w - 2, bold=True)
    if parent:
        _para(left, "\n".join(parent), L.SIZE_ISSUER, line_spacing=1.0, reuse_first=True)
    _para(left, "\n".join(issuer), L.SIZE_ISSUER, bold=True, line_spacing=1.0, reuse_first=True)
    widest = max(L.widest(parent, L.SIZE_ISSUER), L.widest(issuer, L.SIZE_ISSUER, True))
    _rule(left, left_w, min(max(0.5 * widest, 20 * MM), left_w))
    motto = "Độc lập - Tự do - Hạnh phúc"
    _para(
        right,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        L.SIZE_NATIONAL,
        bold=True,
        line_spacing=1.0,
        reuse_first=True,
    )
    _para(right, motto, L.SIZE_MOTTO, bold=True, line_spacing=1.0)
    _rule(right, right_w, text_width(motto, L.SIZE_MOTTO, bold=True))
    number, when = table.rows[1].cells
    _para(number, d.number_line, L.SIZE_NUMBER, before=8, reuse_first=True)
    _para(when, d.date_line, L.SIZE_DATE, italic=True, before=8, reuse_first=True)


def _title(doc: Any, d: AdministrativeDocument) -> None:
    _para(doc, d.kind.upper(), L.SIZE_KIND, bold=True, before=18, keep_with_next=True)
    if d.title:
        lines = L.split_balanced(d.title, L.SIZE_TITLE, TEXT_WIDTH - 20 * MM, bold=True)
        _para(doc, "\n".join(lines), L.SIZE_TITLE, bold=True, keep_with_next=True)
        rule = max(0.4 * L.widest(lines, L.SIZE_TITLE, True), 15 * MM)
    else:
        rule = 30 * MM
    _rule(doc, TEXT_WIDTH, rule)
    if d.annex_line:
        _para(doc, d.annex_line, L.SIZE_BODY, italic=True, before=2)
    _para(doc, size=6, line_spacing=1.0)


def _recipients(doc: Any, d: AdministrativeDocument) -> None:
    lines = d.recipient_lines
    if not lines:
        return
    geometry = L.recipients_geometry(lines)
    if geometry is None:
        _para(doc, f"{L.RECIPIENT_LABEL} {lines[0]}", L.SIZE_BODY, after=10)
        return
    start, label_w, list_w = geometry
    for index, line in enumerate(lines):
        paragraph = _para(
            doc, align="left", after=10 if index == len(lines) - 1 else 0, line_spacing=1.0
        )
        fmt = paragraph.paragraph_format
        fmt.left_indent = Pt(start + label_w)
        fmt.right_indent = Pt(max(0.0, TEXT_WIDTH - start - label_w - list_w))
        if index == 0:
            fmt.first_line_indent = Pt(-label_w)
            fmt.tab_stops.add_tab_stop(Pt(start + label_w))
            _run(paragraph, f"{L.RECIPIENT_LABEL}\t{line}", L.SIZE_BODY)
        else:
            _run(paragraph, line, L.SIZE_BODY)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _table(doc: Any, block: Table) -> None:
    if block.caption:
        _para(doc, block.caption, L.SIZE_CAPTION, bold=True, before=4, after=4, keep_with_next=True)
    widths = L.column_widths(block, TEXT_WIDTH, L.SIZE_TABLE)
    table = _plain_table(doc, 1, widths, style="Table Grid")
    _cell_margins(table, top=1, side=L.CELL_MARGIN_PT, bottom=2)  # as in the PDF
    _repeat_header(table.rows[0])
    for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
        _para(cell, header, L.SIZE_TABLE, bold=True, line_spacing=1.0, reuse_first=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row in _data_rows(block, widths):
        table._tbl.append(row)
    _para(doc, size=6, line_spacing=1.0)


def _data_rows(block: Table, widths: list[float]) -> list[Any]:
    """The body rows as WordprocessingML, built as text and parsed once.

    Going through python-docx's objects costs about 12 ms a row; reporting annexes may have
    thousands of rows. The markup is what python-docx would write for ``_para`` with the
    table font size, no spacing, single lines, left-aligned text and right-aligned numbers;
    a row is not split across pages (as in the PDF).
    """
    size = str(round(L.SIZE_TABLE * 2))
    run_props = f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
    cells_open = [
        f'<w:tc><w:tcPr><w:tcW w:w="{round(w * 20)}" w:type="dxa"/></w:tcPr>' for w in widths
    ]
    rows: list[str] = []
    for values in block.rows:
        cells = []
        for opening, value in zip(cells_open, values, strict=True):
            align = "right" if L.is_numeric(value) else "left"
            text = xml_escape(format_number(value))
            run = f'<w:r>{run_props}<w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
            cells.append(
                f"{opening}<w:p><w:pPr><w:widowControl/>"
                '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                f'<w:jc w:val="{align}"/>{run_props}</w:pPr>{run}</w:p></w:tc>'
            )
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(cells)}</w:tr>")
    if not rows:
        return []
    wrapper = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    return list(wrapper)


def _block(doc: Any, block: Block) -> None:
    indent = L.FIRST_LINE_INDENT_MM * MM
    if isinstance(block, Heading):
        _para(
            doc,
            block.text,
            L.SIZE_BODY,
            bold=True,
            italic=block.level >= 3,
            align="justify",
            indent_pt=indent,
            before=4,
            after=L.SPACE_AFTER_PT,
            keep_with_next=True,
        )
    elif isinstance(block, Paragraph):
        _para(
            doc,
            block.text,
            L.SIZE_BODY,
            block.bold,
            block.italic,
            block.align,
            indent_pt=indent if block.align in ("justify", "left") else 0.0,
            after=L.SPACE_AFTER_PT,
        )
    elif isinstance(block, Bullets):
        for item in block.items:
            _para(
                doc,
                f"- {item}",
                L.SIZE_BODY,
                align="justify",
                indent_pt=indent,
                after=L.SPACE_AFTER_PT / 2,
            )
    elif isinstance(block, Table):
        _table(doc, block)
    elif isinstance(block, BarChart):
        if block.title:
            _para(
                doc, block.title, L.SIZE_CAPTION, bold=True, before=4, after=4, keep_with_next=True
            )
        png, _height = chart_png(block, TEXT_WIDTH)
        paragraph = _para(doc, after=L.SPACE_AFTER_PT + 4, line_spacing=1.0)
        picture = paragraph.add_run().add_picture(io.BytesIO(png), width=Pt(TEXT_WIDTH))
        description = "; ".join(
            f"{c}: {format_number(v)}" for c, v in zip(block.categories, block.values, strict=True)
        )
        picture._inline.docPr.set("descr", f"{block.title}. {description}".strip(". "))
    elif isinstance(block, PageBreak):
        doc.add_page_break()
    else:
        raise TypeError(f"not a document block: {type(block).__name__}")


def _signature(doc: Any, d: AdministrativeDocument) -> None:
    left_w = L.SIGNATURE_LEFT_MM * MM
    right_w = TEXT_WIDTH - left_w
    _para(doc, size=8, line_spacing=1.0)
    table = _plain_table(doc, 1, [left_w, right_w])
    _cell_margins(table)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    copies, signature = table.rows[0].cells
    _para(
        copies,
        "Nơi nhận:",
        L.SIZE_COPIES_LABEL,
        bold=True,
        italic=True,
        align="left",
        line_spacing=1.0,
        reuse_first=True,
    )
    for line in d.copies_lines:
        _para(copies, line, L.SIZE_COPIES, align="left", line_spacing=1.0)
    first = True
    for text in (d.signer_authority.upper(), d.signer_title.upper()):
        if text:
            _para(signature, text, L.SIZE_SIGNER, bold=True, line_spacing=1.0, reuse_first=first)
            first = False
    name = _para(
        signature, d.signer_name, L.SIZE_SIGNER, bold=True, line_spacing=1.0, reuse_first=first
    )
    name.paragraph_format.space_before = Mm(L.SIGNATURE_SPACE_MM)


def _page_number_header(section: Any) -> None:
    """ND30: page numbers centred at the top, from the second page (a different first page)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(L.SIZE_PAGE_NUMBER)
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, None),
        ("end", None),
    ):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
        elif text is not None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = "2"
            run._r.append(shown)


def _twips_up(mm: float) -> Twips:
    return Twips(math.ceil(mm * 1440 / 25.4 - 1e-9))


def _document(doc: Any, document: AdministrativeDocument) -> None:
    if document.draft:
        _para(doc, "DỰ THẢO", L.SIZE_NUMBER, bold=True, align="right", after=4)
    if not document.annex_to:  # an annex has no header, addressee or signature of its own
        _header(doc, document)
    _title(doc, document)
    if not document.annex_to:
        _recipients(doc, document)
    for block in document.body:
        _block(doc, block)
    if not document.annex_to:
        _signature(doc, document)


def render_docx(document: AdministrativeDocument) -> bytes:
    """The document as DOCX bytes: A4, ND30 margins, Times New Roman, numbered from page 2."""
    doc = new_document()
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT_NAME
    normal.font.size = Pt(L.SIZE_BODY)
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)
    for name in ("Header", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            style = doc.styles[name]
            rpr = style.element.get_or_add_rPr()
            _set_fonts(rpr)

    section = doc.sections[0]
    section.page_width = Mm(L.PAGE_WIDTH_MM)
    section.page_height = Mm(L.PAGE_HEIGHT_MM)
    # Word stores twips: round up so a margin never falls below its ND30 minimum.
    section.top_margin = _twips_up(L.MARGIN_TOP_MM)
    section.bottom_margin = _twips_up(L.MARGIN_BOTTOM_MM)
    section.left_margin = _twips_up(L.MARGIN_LEFT_MM)
    section.right_margin = _twips_up(L.MARGIN_RIGHT_MM)
    section.header_distance = Mm(L.PAGE_NUMBER_FROM_TOP_MM - 3)
    section.footer_distance = Mm(10)
    _page_number_header(section)

    # The default template starts with no paragraph; the header table comes first.
    _document(doc, document)
    for attachment in document.attachments:
        _block(doc, PageBreak())
        _document(doc, attachment)

    props = doc.core_properties
    props.title = f"{document.kind} {document.title}".strip()
    props.author = document.issuer
    props.subject = document.number
    props.language = "vi-VN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
