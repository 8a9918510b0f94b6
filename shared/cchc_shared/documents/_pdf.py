"""PDF rendering with ReportLab: embedded Tinos subsets, ND30 layout, page numbers from page 2."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from . import _layout as L
from ._chart import chart_drawing
from ._fonts import pdf_font_name, register_pdf_fonts, text_width
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

DRAFT_MARK = "DỰ THẢO"

MM = L.MM
TEXT_WIDTH = L.TEXT_WIDTH
_ALIGN = {"justify": TA_JUSTIFY, "left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
_style_cache: dict[tuple[object, ...], Any] = {}


def _style(
    size: float,
    bold: bool = False,
    italic: bool = False,
    align: str = "center",
    indent: float = 0.0,
    before: float = 0.0,
    after: float = 0.0,
    leading: float | None = None,
    keep_with_next: bool = False,
) -> Any:
    key = (size, bold, italic, align, indent, before, after, leading, keep_with_next)
    # Words are never split across lines ("Điể/m"): the column widths leave room for the
    # longest word of each column (``_layout.column_widths``).
    if key not in _style_cache:
        _style_cache[key] = ParagraphStyle(
            name="cchc-" + "-".join(str(k) for k in key),
            fontName=pdf_font_name(bold, italic),
            fontSize=size,
            leading=leading if leading is not None else size * L.LINE_HEIGHT,
            alignment=_ALIGN[align],
            firstLineIndent=indent,
            spaceBefore=before,
            spaceAfter=after,
            keepWithNext=int(keep_with_next),
            allowWidows=0,
            allowOrphans=0,
            splitLongWords=0,
        )
    return _style_cache[key]


def _p(text: str, style: Any) -> Any:
    return RLParagraph(escape(text), style)


def _lines(lines: list[str], style: Any) -> Any:
    return RLParagraph("<br/>".join(escape(line) for line in lines), style)


class _Rule(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A centred horizontal rule ``length`` long, ``gap`` below the flowable above it."""

    def __init__(self, length: float, gap: float) -> None:
        super().__init__()
        self.length = length
        self.gap = gap
        self._avail = length

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        return avail_width, self.gap + 0.6

    def draw(self) -> None:
        length = min(self.length, self._avail)
        start = (self._avail - length) / 2
        self.canv.saveState()
        self.canv.setLineWidth(0.6)
        self.canv.line(start, 0.3, start + length, 0.3)
        self.canv.restoreState()


def _rule(length: float, gap: float = 3.0) -> Any:
    return _Rule(length, gap)


def _header(doc: AdministrativeDocument) -> list[Any]:
    left_w = L.HEADER_LEFT_MM * MM
    right_w = L.HEADER_RIGHT_MM * MM
    parent = (
        L.split_balanced(doc.issuer_parent, L.SIZE_ISSUER, left_w - 2) if doc.issuer_parent else []
    )
    issuer = L.split_balanced(doc.issuer, L.SIZE_ISSUER, left_w - 2, bold=True)
    issuer_rule = max(
        0.5 * max(L.widest(parent, L.SIZE_ISSUER), L.widest(issuer, L.SIZE_ISSUER, True)), 20 * MM
    )
    left: list[Any] = []
    if parent:
        left.append(_lines(parent, _style(L.SIZE_ISSUER, leading=L.SIZE_ISSUER * 1.15)))
    left.append(_lines(issuer, _style(L.SIZE_ISSUER, bold=True, leading=L.SIZE_ISSUER * 1.15)))
    left.append(_rule(min(issuer_rule, left_w)))
    national = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto = "Độc lập - Tự do - Hạnh phúc"
    right = [
        _p(national, _style(L.SIZE_NATIONAL, bold=True, leading=L.SIZE_NATIONAL * 1.15)),
        _p(motto, _style(L.SIZE_MOTTO, bold=True, leading=L.SIZE_MOTTO * 1.15)),
        _rule(text_width(motto, L.SIZE_MOTTO, bold=True)),
    ]
    number = _p(doc.number_line, _style(L.SIZE_NUMBER))
    when = _p(doc.date_line, _style(L.SIZE_DATE, italic=True))
    table = RLTable([[left, right], [number, when]], colWidths=[left_w, right_w])
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), pdf_font_name()),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, 0), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 1), (-1, 1), 8),
        ]
    )
    return [table]


def _title(doc: AdministrativeDocument) -> list[Any]:
    flow: list[Any] = [Spacer(1, 0 if doc.annex_to else 14)]
    flow.append(_p(doc.kind.upper(), _style(L.SIZE_KIND, bold=True)))
    if doc.title:
        lines = L.split_balanced(doc.title, L.SIZE_TITLE, TEXT_WIDTH - 20 * MM, bold=True)
        flow.append(_lines(lines, _style(L.SIZE_TITLE, bold=True)))
        flow.append(_rule(max(0.4 * L.widest(lines, L.SIZE_TITLE, True), 15 * MM)))
    else:
        flow.append(_rule(30 * MM))
    if doc.annex_line:
        flow.append(_p(doc.annex_line, _style(L.SIZE_BODY, italic=True, before=2)))
    flow.append(Spacer(1, 10))
    return flow


def _recipients(doc: AdministrativeDocument) -> list[Any]:
    lines = doc.recipient_lines
    if not lines:
        return []
    geometry = L.recipients_geometry(lines)
    if geometry is None:
        return [_p(f"{L.RECIPIENT_LABEL} {lines[0]}", _style(L.SIZE_BODY, after=10))]
    start, label_w, list_w = geometry
    left = _style(L.SIZE_BODY, align="left", leading=L.SIZE_BODY * 1.2)
    cells = [[_p(L.RECIPIENT_LABEL, left), [_p(line, left) for line in lines]]]
    table = RLTable(cells, colWidths=[start + label_w, list_w], hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), pdf_font_name()),
            ("LEFTPADDING", (0, 0), (0, 0), start),
            ("LEFTPADDING", (1, 0), (1, 0), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return [table, Spacer(1, 10)]


def _table(block: Table) -> list[Any]:
    flow: list[Any] = [CondPageBreak(L.SIZE_TABLE * 9)]
    if block.caption:
        flow.append(
            _p(
                block.caption,
                _style(L.SIZE_CAPTION, bold=True, before=4, after=4),
            )
        )
    widths = L.column_widths(block, TEXT_WIDTH, L.SIZE_TABLE)
    leading = L.SIZE_TABLE * 1.2
    head = [_p(h, _style(L.SIZE_TABLE, bold=True, leading=leading)) for h in block.headers]
    data: list[list[Any]] = [head]
    for row in block.rows:
        data.append(
            [
                _p(
                    format_number(value),
                    _style(
                        L.SIZE_TABLE,
                        align="right" if L.is_numeric(value) else "left",
                        leading=leading,
                    ),
                )
                for value in row
            ]
        )
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ("FONTNAME", (0, 0), (-1, -1), pdf_font_name()),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("VALIGN", (0, 1), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), L.CELL_MARGIN_PT),
            ("RIGHTPADDING", (0, 0), (-1, -1), L.CELL_MARGIN_PT),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    flow.append(table)
    flow.append(Spacer(1, L.SPACE_AFTER_PT + 2))
    return flow


def _block(block: Block) -> list[Any]:
    indent = L.FIRST_LINE_INDENT_MM * MM
    if isinstance(block, Heading):
        style = _style(
            L.SIZE_BODY,
            bold=True,
            italic=block.level >= 3,
            align="justify",
            indent=indent,
            before=4,
            after=L.SPACE_AFTER_PT,
        )
        # Not keepWithNext: ReportLab would move a following long table whole to the next page.
        return [CondPageBreak(L.SIZE_BODY * 6), _p(block.text, style)]
    if isinstance(block, Paragraph):
        style = _style(
            L.SIZE_BODY,
            block.bold,
            block.italic,
            block.align,
            indent=indent if block.align in ("justify", "left") else 0.0,
            after=L.SPACE_AFTER_PT,
        )
        return [_p(block.text, style)]
    if isinstance(block, Bullets):
        style = _style(L.SIZE_BODY, align="justify", indent=indent, after=L.SPACE_AFTER_PT / 2)
        return [_p(f"- {item}", style) for item in block.items]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, BarChart):
        drawing = chart_drawing(block, TEXT_WIDTH)
        drawing.hAlign = "CENTER"
        parts: list[Any] = [Spacer(1, 4)]
        if block.title:
            parts.append(_p(block.title, _style(L.SIZE_CAPTION, bold=True, after=4)))
        return [KeepTogether([*parts, drawing, Spacer(1, L.SPACE_AFTER_PT + 4)])]
    if isinstance(block, PageBreak):
        return [RLPageBreak()]
    raise TypeError(f"not a document block: {type(block).__name__}")


def _signature(doc: AdministrativeDocument) -> list[Any]:
    left_w = L.SIGNATURE_LEFT_MM * MM
    right_w = TEXT_WIDTH - left_w
    copies: list[Any] = [
        _p("Nơi nhận:", _style(L.SIZE_COPIES_LABEL, bold=True, italic=True, align="left")),
        *[
            _p(line, _style(L.SIZE_COPIES, align="left", leading=L.SIZE_COPIES * 1.2))
            for line in doc.copies_lines
        ],
    ]
    sign_style = _style(L.SIZE_SIGNER, bold=True, leading=L.SIZE_SIGNER * 1.2)
    signature: list[Any] = []
    if doc.signer_authority:
        signature.append(_p(doc.signer_authority.upper(), sign_style))
    if doc.signer_title:
        signature.append(_p(doc.signer_title.upper(), sign_style))
    signature.append(Spacer(1, L.SIGNATURE_SPACE_MM * MM))
    signature.append(_p(doc.signer_name, sign_style) if doc.signer_name else Spacer(1, 1))
    table = RLTable([[copies, signature]], colWidths=[left_w, right_w])
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), pdf_font_name()),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return [Spacer(1, 8), table]


def _page_number(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(pdf_font_name(), L.SIZE_PAGE_NUMBER)
    canvas.drawCentredString(
        L.MARGIN_LEFT_MM * MM + TEXT_WIDTH / 2,
        (L.PAGE_HEIGHT_MM - L.PAGE_NUMBER_FROM_TOP_MM) * MM - L.SIZE_PAGE_NUMBER * 0.35,
        str(doc.page),
    )
    canvas.restoreState()


def render_pdf(document: AdministrativeDocument) -> bytes:
    """The document as PDF bytes: A4, ND30 margins, Tinos embedded, numbered from page 2."""
    register_pdf_fonts()
    out = io.BytesIO()
    template = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=L.MARGIN_LEFT_MM * MM,
        rightMargin=L.MARGIN_RIGHT_MM * MM,
        topMargin=L.MARGIN_TOP_MM * MM,
        bottomMargin=L.MARGIN_BOTTOM_MM * MM,
        title=f"{document.kind} {document.title}".strip(),
        author=document.issuer,
        subject=document.number,
        creator="cchc_shared.documents",
        invariant=1,
        initialFontName=pdf_font_name(),
        initialFontSize=L.SIZE_BODY,
    )
    frame = Frame(
        template.leftMargin,
        template.bottomMargin,
        template.width,
        template.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates(
        [
            PageTemplate(id="first", frames=[frame], autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[frame], onPage=_page_number),
        ]
    )
    story = _story(document)
    for attachment in document.attachments:
        story += [RLPageBreak(), *_story(attachment)]
    template.build(story)
    return out.getvalue()


def _story(document: AdministrativeDocument) -> list[Any]:
    if document.annex_to:  # an annex: its title, then its body
        story: list[Any] = _title(document)
        for block in document.body:
            story.extend(_block(block))
        return story
    story = [*_draft_mark(document), *_header(document), *_title(document)]
    story += _recipients(document)
    for block in document.body:
        story.extend(_block(block))
    closing = _signature(document)
    if document.body and isinstance(document.body[-1], Paragraph):
        # The signature never stands alone on a page: it keeps the closing paragraph with it.
        closing.insert(0, story.pop())
    story.append(KeepTogether(closing))
    return story


def _draft_mark(document: AdministrativeDocument) -> list[Any]:
    if not document.draft:
        return []
    return [_p(DRAFT_MARK, _style(L.SIZE_NUMBER, bold=True, align="right", after=4))]
