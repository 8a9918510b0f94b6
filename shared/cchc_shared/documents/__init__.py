"""One document kit: Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP) as DOCX and PDF.

An optional extra of ``cchc-shared`` (``cchc-shared[documents]``): python-docx, ReportLab and
Pillow. Build an :class:`AdministrativeDocument` from blocks and render it::

    from cchc_shared.documents import AdministrativeDocument, Paragraph, render_pdf

    doc = AdministrativeDocument(kind="THÔNG BÁO", title="Lịch khảo sát đợt 1",
                                 number="125/TB-SNV", issued_on=date(2023, 6, 5),
                                 body=[Paragraph("…")])
    pdf = render_pdf(doc)

Layout (ND30, Phụ lục I): A4, margins 20/20/30/15 mm (top/bottom/left/right); issuing body and
national title in a two-column header; number, place and date; kind and trích yếu; "Kính gửi";
body; "Nơi nhận" and the signature block; page numbers centred at the top from page 2. Text is
set in the vendored Tinos fonts (OFL-1.1, Times New Roman metrics, full Vietnamese coverage): the
PDF embeds them, the DOCX names "Times New Roman" (see ``_fonts.DOCX_FONT_NAME``). All text is
NFC-normalised when the blocks are built.
"""

from __future__ import annotations

from .model import (
    ARCHIVE_LINE,
    AdministrativeDocument,
    BarChart,
    Block,
    Bullets,
    Cell,
    Heading,
    PageBreak,
    Paragraph,
    SurveyPlan,
    Table,
    format_number,
    vietnamese_date,
)

try:
    from ._docx import render_docx
    from ._pdf import render_pdf
except ModuleNotFoundError as missing:  # pragma: no cover - depends on the installed extra
    if missing.name not in ("docx", "reportlab", "PIL"):
        raise
    raise ModuleNotFoundError(
        f"cchc_shared.documents needs the 'documents' extra ({missing.name} is missing): "
        "depend on cchc-shared[documents]",
        name=missing.name,
    ) from missing

__all__ = [
    "ARCHIVE_LINE",
    "AdministrativeDocument",
    "BarChart",
    "Block",
    "Bullets",
    "Cell",
    "Heading",
    "PageBreak",
    "Paragraph",
    "SurveyPlan",
    "Table",
    "format_number",
    "render_docx",
    "render_pdf",
    "vietnamese_date",
]
