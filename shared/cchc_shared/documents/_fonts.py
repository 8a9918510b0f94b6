"""The vendored Tinos fonts (metric-compatible with Times New Roman, full Vietnamese coverage)."""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

__all__ = [
    "DOCX_FONT_NAME",
    "FONT_FILES",
    "PDF_FONT",
    "font_path",
    "pdf_font_name",
    "register_pdf_fonts",
    "text_width",
]

DOCX_FONT_NAME: Final = "Times New Roman"
"""The font the DOCX asks for.

ND30 documents are set in Times New Roman and the readers' Word has it (with Vietnamese); where it
is missing (Linux), fontconfig substitutes Tinos or Liberation Serif, which share its metrics, so
lines break in the same places. Naming "Tinos" would push Windows readers to an unrelated fallback.
"""

PDF_FONT: Final = "CCHC-Tinos"
FONT_FILES: Final = {
    (False, False): "Tinos-Regular.ttf",
    (True, False): "Tinos-Bold.ttf",
    (False, True): "Tinos-Italic.ttf",
    (True, True): "Tinos-BoldItalic.ttf",
}
_SUFFIX: Final = {
    (False, False): "",
    (True, False): "-Bold",
    (False, True): "-Italic",
    (True, True): "-BoldItalic",
}
_lock = threading.Lock()


def font_path(bold: bool = False, italic: bool = False) -> Path:
    """The path of a vendored TTF file (inside the installed package)."""
    root = resources.files("cchc_shared.documents") / "fonts" / FONT_FILES[(bold, italic)]
    return Path(str(root))


def pdf_font_name(bold: bool = False, italic: bool = False) -> str:
    return PDF_FONT + _SUFFIX[(bold, italic)]


@cache
def register_pdf_fonts() -> str:
    """Register the four Tinos faces with ReportLab once; returns the family name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        for (bold, italic), _file in FONT_FILES.items():
            name = pdf_font_name(bold, italic)
            pdfmetrics.registerFont(TTFont(name, str(font_path(bold, italic))))
            addMapping(PDF_FONT, int(bold), int(italic), name)
    return PDF_FONT


def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width in points of ``text`` set in Tinos (the same as in Times New Roman)."""
    from reportlab.pdfbase import pdfmetrics

    register_pdf_fonts()
    return float(pdfmetrics.stringWidth(text, pdf_font_name(bold, italic), size))
