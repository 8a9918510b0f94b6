"""The document model: what a Vietnamese administrative document is made of.

Every string is NFC-normalised when an object is built, and every sequence is frozen into a
tuple, so a document is immutable and renders the same way in DOCX and PDF.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Literal, TypeAlias

from cchc_shared import clock

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
    "date_line",
    "format_number",
    "vietnamese_date",
]

ARCHIVE_LINE = "Lưu: VT, CCHC"
"""The "Nơi nhận" line added when the caller gives none: văn thư and the drafting division."""

Cell: TypeAlias = str | int | float | None
Align: TypeAlias = Literal["justify", "left", "center", "right"]


def _nfc(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    return unicodedata.normalize("NFC", text)


def _nfc_all(items: Sequence[str]) -> tuple[str, ...]:
    if isinstance(items, str):
        raise TypeError("expected a sequence of strings, got one string")
    return tuple(_nfc(item) for item in items)


def _cell(value: Cell) -> Cell:
    if isinstance(value, bool):
        raise TypeError("a table cell may be text, int, float or None, not bool")
    if isinstance(value, str):
        return _nfc(value)
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a table cell may be text, int, float or None, not {type(value).__name__}")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Heading:
    """A section heading ("I. KẾT QUẢ KHẢO SÁT"); level 1 and 2 bold, level 3+ bold italic."""

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        _set(self, "text", _nfc(self.text))
        if self.level < 1:
            raise ValueError("heading level starts at 1")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph; justified paragraphs get the ND30 first-line indent."""

    text: str
    bold: bool = False
    italic: bool = False
    align: Align = "justify"

    def __post_init__(self) -> None:
        _set(self, "text", _nfc(self.text))
        if self.align not in ("justify", "left", "center", "right"):
            raise ValueError(f"unknown alignment {self.align!r}")


@dataclass(frozen=True)
class Bullets:
    """A list rendered the Vietnamese administrative way: each item on a line starting "- "."""

    items: Sequence[str]

    def __post_init__(self) -> None:
        _set(self, "items", _nfc_all(self.items))


@dataclass(frozen=True)
class Table:
    """A table; text wraps, numbers are right-aligned, the header row repeats on every page.

    ``column_widths`` are relative weights (``(1, 6, 2)``); ``None`` lets the kit choose them
    from the contents.
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    caption: str = ""
    column_widths: Sequence[float] | None = None

    def __post_init__(self) -> None:
        headers = _nfc_all(self.headers)
        if not headers:
            raise ValueError("a table needs at least one column")
        rows = tuple(tuple(_cell(value) for value in row) for row in self.rows)
        for number, row in enumerate(rows, start=1):
            if len(row) != len(headers):
                raise ValueError(
                    f"row {number} has {len(row)} cells, the table has {len(headers)} columns"
                )
        _set(self, "headers", headers)
        _set(self, "rows", rows)
        _set(self, "caption", _nfc(self.caption))
        if self.column_widths is not None:
            widths = tuple(float(w) for w in self.column_widths)
            if len(widths) != len(headers) or any(w <= 0 for w in widths):
                raise ValueError("column_widths needs one positive weight per column")
            _set(self, "column_widths", widths)


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart (long Vietnamese category names read best on the left)."""

    title: str
    categories: Sequence[str]
    values: Sequence[float]
    value_label: str = ""

    def __post_init__(self) -> None:
        categories = _nfc_all(self.categories)
        values = tuple(float(v) for v in self.values)
        if len(categories) != len(values):
            raise ValueError("a bar chart needs one value per category")
        if any(v < 0 for v in values):
            raise ValueError("bar chart values must not be negative")
        _set(self, "title", _nfc(self.title))
        _set(self, "categories", categories)
        _set(self, "values", values)
        _set(self, "value_label", _nfc(self.value_label))


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block: TypeAlias = Heading | Paragraph | Bullets | Table | BarChart | PageBreak
_BLOCK_TYPES = (Heading, Paragraph, Bullets, Table, BarChart, PageBreak)


@dataclass(frozen=True)
class AdministrativeDocument:
    """A document in the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I.

    ``copies_to`` is the "Nơi nhận" list without dashes or final punctuation (the kit adds
    "- " and ";" / "."); when no item starts with "Lưu" the kit ends the list with
    "Lưu: VT, CCHC." (the archive copy of the drafting division).
    """

    kind: str
    title: str
    number: str
    issued_on: date | None
    body: Sequence[Block]
    recipients: Sequence[str] = ()
    copies_to: Sequence[str] = ()
    signer_authority: str = ""
    signer_title: str = "GIÁM ĐỐC"
    signer_name: str = ""
    issuer_parent: str = "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"
    issuer: str = "SỞ NỘI VỤ"
    place: str = "Thành phố Hồ Chí Minh"
    year: int | None = None
    # An annex (Phụ lục) served on its own: the document it goes with ("Báo cáo số …/BC-SNV
    # ngày … tháng … năm 2023 của Sở Nội vụ"). It has no number, header, addressee or
    # signature of its own; under its title it reads "(Kèm theo …)".
    annex_to: str = ""
    # A draft (dự thảo) for another body to issue: marked so above its header.
    draft: bool = False
    # Documents sent with this one (a draft decision, annexes), each from a new page.
    attachments: Sequence[AdministrativeDocument] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("recipients", "copies_to"):
                _set(self, f.name, _nfc_all(value))
            elif f.name == "attachments":
                attached = tuple(value)
                if not all(isinstance(a, AdministrativeDocument) for a in attached):
                    raise TypeError("an attachment is an AdministrativeDocument")
                _set(self, f.name, attached)
            elif isinstance(value, str):
                _set(self, f.name, _nfc(value))
        body = tuple(self.body)
        for block in body:
            if not isinstance(block, _BLOCK_TYPES):
                raise TypeError(f"not a document block: {type(block).__name__}")
        _set(self, "body", body)
        if not self.kind.strip():
            raise ValueError("a document needs its kind (BÁO CÁO, TỜ TRÌNH, ...)")

    @property
    def date_line(self) -> str:
        """ "Thành phố Hồ Chí Minh, ngày 15 tháng 11 năm 2023" (blanks when not yet issued)."""
        return date_line(self.place, self.issued_on, self.year)

    @property
    def annex_line(self) -> str:
        return f"(Kèm theo {self.annex_to})" if self.annex_to else ""

    @property
    def number_line(self) -> str:
        return f"Số: {self.number}"

    @property
    def copies_lines(self) -> tuple[str, ...]:
        """The "Nơi nhận" lines, each "- …;", the last "- Lưu: ….", as ND30 writes them."""
        items = [item.strip().rstrip(";.").strip() for item in self.copies_to]
        items = [item for item in items if item]
        if not any(item.startswith("Lưu") for item in items):
            items.append(ARCHIVE_LINE)
        return tuple(
            f"- {item}{'.' if i == len(items) - 1 else ';'}" for i, item in enumerate(items)
        )

    @property
    def recipient_lines(self) -> tuple[str, ...]:
        """One recipient: "X." alone; several: "- X;" each and "." on the last."""
        items = [item.strip().rstrip(";.").strip() for item in self.recipients]
        items = [item for item in items if item]
        if len(items) == 1:
            return (f"{items[0]}.",)
        return tuple(
            f"- {item}{'.' if i == len(items) - 1 else ';'}" for i, item in enumerate(items)
        )


def vietnamese_date(d: date) -> str:
    """ "ngày 05 tháng 6 năm 2023": ND30 pads days below 10 and the months 1 and 2 with a 0."""
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def date_line(place: str, issued_on: date | None, year: int | None = None) -> str:
    """The place-and-date line; an unissued document keeps blanks for the day and month."""
    if issued_on is not None:
        when = vietnamese_date(issued_on)
    else:
        blank = "\u00a0" * 6
        when = f"ngày{blank}tháng{blank}năm {year if year is not None else clock.now().year}"
    return f"{place}, {when}" if place else when


def format_number(value: Cell, decimals: int = 2) -> str:
    """Vietnamese number style: "." groups thousands, "," marks decimals ("6.640", "95,60");
    a float keeps ``decimals`` places (two, as scores are written); None is empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@dataclass(frozen=True)
class SurveyPlan:
    """The Department's survey plan of a campaign (Kế hoạch khảo sát), as documents cite it.

    ``number`` is its number and symbol ("1582/KH-SNV") and ``signed_on`` its date; until
    they are known the citation names the plan without them.
    """

    year: int
    number: str = ""
    signed_on: date | None = None

    @property
    def subject(self) -> str:
        return (
            "khảo sát các mô hình, giải pháp, sáng kiến về công tác cải cách hành chính "
            f"năm {self.year}"
        )

    @property
    def citation(self) -> str:
        """ "Kế hoạch số 1582/KH-SNV ngày 10 tháng 5 năm 2023 của Sở Nội vụ về khảo sát …"."""
        number = f" số {self.number}" if self.number else ""
        when = f" {vietnamese_date(self.signed_on)}" if self.signed_on else ""
        return f"Kế hoạch{number}{when} của Sở Nội vụ về {self.subject}"
