"""Measures shared by both renderers: ND30 page geometry, font sizes, line splitting."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

from ._fonts import text_width
from .model import Cell, Table, format_number

MM: Final = 72.0 / 25.4  # points per millimetre

PAGE_WIDTH_MM: Final = 210.0  # A4
PAGE_HEIGHT_MM: Final = 297.0
# Nghị định 30/2020/NĐ-CP, Phụ lục I: top 20–25, bottom 20–25, left 30–35, right 15–20 mm.
MARGIN_TOP_MM: Final = 20.0
MARGIN_BOTTOM_MM: Final = 20.0
MARGIN_LEFT_MM: Final = 30.0
MARGIN_RIGHT_MM: Final = 15.0
TEXT_WIDTH_MM: Final = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165 mm
TEXT_WIDTH: Final = TEXT_WIDTH_MM * MM  # in points
PAGE_NUMBER_FROM_TOP_MM: Final = 10.0  # the page number sits centred in the top margin

# The header block: issuing body on the left, national title on the right.
HEADER_LEFT_MM: Final = 64.0
HEADER_RIGHT_MM: Final = TEXT_WIDTH_MM - HEADER_LEFT_MM  # 101 mm: fits the national title
SIGNATURE_LEFT_MM: Final = 80.0  # "Nơi nhận" column; the signature takes the rest
SIGNATURE_SPACE_MM: Final = 25.0  # room for the signature and the seal

# Font sizes in points (ND30 ranges in comments).
SIZE_ISSUER: Final = 13.0  # cơ quan chủ quản / ban hành, 12–13
SIZE_NATIONAL: Final = 13.0  # quốc hiệu, 12–13
SIZE_MOTTO: Final = 14.0  # tiêu ngữ, 13–14
SIZE_NUMBER: Final = 13.0  # số, ký hiệu, 13
SIZE_DATE: Final = 13.0  # địa danh, ngày tháng, 13–14 (13 keeps a full date on one line)
SIZE_KIND: Final = 14.0  # tên loại, 13–14
SIZE_TITLE: Final = 14.0  # trích yếu, 13–14
SIZE_BODY: Final = 14.0  # nội dung, 13–14
SIZE_TABLE: Final = 12.0
SIZE_CAPTION: Final = 13.0
SIZE_SIGNER: Final = 14.0  # quyền hạn, chức vụ, họ tên người ký, 13–14
SIZE_COPIES_LABEL: Final = 12.0  # "Nơi nhận:", 12, bold italic
SIZE_COPIES: Final = 11.0  # the list, 11
SIZE_PAGE_NUMBER: Final = 13.0  # 13–14

FIRST_LINE_INDENT_MM: Final = 10.0  # 1–1.27 cm
SPACE_AFTER_PT: Final = 6.0  # at least 6 pt between paragraphs
LINE_HEIGHT: Final = 1.25  # leading as a multiple of the font size (single to 1.5 lines)

CELL_MARGIN_PT: Final = 4.0  # left and right cell margin of data tables, in both formats
CELL_PADDING_PT: Final = 2 * CELL_MARGIN_PT + 3.0  # plus some slack for Word's line breaking


def split_balanced(text: str, size: float, width_pt: float, bold: bool = False) -> list[str]:
    """Lines for a centred heading-like text.

    Explicit newlines are kept; a line too wide for ``width_pt`` is split into two at the word
    boundary that makes the longer half shortest ("ỦY BAN NHÂN DÂN" / "THÀNH PHỐ HỒ CHÍ MINH"),
    or into more lines greedily if two are not enough.
    """
    lines: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if text_width(line, size, bold) <= width_pt:
            lines.append(line)
            continue
        words = line.split(" ")
        best: tuple[float, list[str]] | None = None
        for cut in range(1, len(words)):
            halves = [" ".join(words[:cut]), " ".join(words[cut:])]
            widest = max(text_width(h, size, bold) for h in halves)
            if widest <= width_pt and (best is None or widest < best[0]):
                best = (widest, halves)
        if best is not None:
            lines.extend(best[1])
        else:
            lines.extend(wrap(line, size, width_pt, bold))
    return lines


RECIPIENT_LABEL: Final = "Kính gửi:"


def recipients_geometry(lines: Sequence[str]) -> tuple[float, float, float] | None:
    """Where "Kính gửi:" and its recipients go, in points from the left text edge.

    ``None``: one recipient that fits on the line, set centred as "Kính gửi: X.". Otherwise
    ``(start, label_width, list_width)``: the label at ``start`` and the recipients in a column
    beside it, wrapped lines aligned under the first; the block is centred on the page.
    """
    size = SIZE_BODY
    text_width_pt = TEXT_WIDTH_MM * MM
    if len(lines) == 1 and text_width(f"{RECIPIENT_LABEL} {lines[0]}", size) <= text_width_pt:
        return None
    label_width = text_width(RECIPIENT_LABEL + " ", size) + 2
    room = text_width_pt - label_width - 2 * FIRST_LINE_INDENT_MM * MM
    list_width = min(widest(lines, size) + 4, room)
    start = (text_width_pt - label_width - list_width) / 2
    return start, label_width, list_width


_BREAKABLE = re.compile(r"[ \t\r\n]+")


def words(text: str) -> list[str]:
    """The words a line may break between: split at ordinary spaces only, so a no-break space
    (U+00A0) keeps "08\u00a0giờ\u00a000" or "Phường\u00a08" whole, as both renderers do."""
    return [word for word in _BREAKABLE.split(text) if word]


def wrap(text: str, size: float, width_pt: float, bold: bool = False) -> list[str]:
    """Greedy word wrap (a word wider than the line stays whole)."""
    lines: list[str] = []
    current = ""
    for word in words(text):
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > width_pt:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def widest(lines: Sequence[str], size: float, bold: bool = False) -> float:
    return max((text_width(line, size, bold) for line in lines), default=0.0)


def is_numeric(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _line_count(words: Sequence[float], space: float, width: float) -> int:
    """How many lines a greedy wrap of words (their widths) into ``width`` takes."""
    lines, used = 1, -space
    for word in words:
        if used + space + word > width and used > 0:
            lines += 1
            used = word
        else:
            used += space + word
    return lines


def column_widths(
    table: Table,
    total: float,
    size: float,
    padding: float = CELL_PADDING_PT,
    sample_rows: int = 40,
) -> list[float]:
    """Column widths in points that add up to ``total``.

    Every column gets at least its minimum: its longest word (a number or a no-break group
    never wraps), so no word is ever broken inside a cell. The caller's relative
    ``column_widths`` then share the rest; without them the widths are those that let all
    columns wrap into the fewest lines per row: for a target of N lines, each column takes the
    narrowest width at which nine in ten of its (sampled) cells fit in N lines and its header
    in max(N, 3); the smallest N whose widths fit the page wins, and the leftover width goes
    to the columns that still wrap. So "STT" and scores stay narrow, and long Vietnamese
    names get room to wrap without starving the other columns.
    """
    measured: dict[tuple[str, bool], float] = {}

    def word_widths(text: str, bold: bool, whole: bool = False) -> list[float]:
        out = []
        for word in [text] if whole else words(text):
            if (word, bold) not in measured:
                measured[(word, bold)] = text_width(word, size, bold)
            out.append(measured[(word, bold)])
        return out

    columns = range(len(table.headers))
    header_words = [word_widths(h, True) for h in table.headers]
    minimum = [max(ws, default=0.0) for ws in header_words]
    for row in table.rows:
        for c in columns:
            value = row[c]
            ws = word_widths(format_number(value), False, whole=is_numeric(value))
            minimum[c] = max(minimum[c], max(ws, default=0.0))
    minimum = [m + padding for m in minimum]
    if table.column_widths is not None:
        return _weighted(table.column_widths, minimum, total)
    if sum(minimum) >= total:
        scale = total / sum(minimum)
        return [w * scale for w in minimum]

    rows = list(table.rows)
    if len(rows) > sample_rows:
        rows = [rows[i * len(rows) // sample_rows] for i in range(sample_rows)]
    samples = [
        [word_widths(format_number(row[c]), False, whole=is_numeric(row[c])) for row in rows]
        for c in columns
    ]
    space = text_width(" ", size)

    def fits(c: int, width: float, target: int) -> bool:
        """Header within max(target, 3) lines; 90 % of the sampled cells within target."""
        if _line_count(header_words[c], space, width - padding) > max(target, 3):
            return False
        counts = sorted(_line_count(ws, space, width - padding) for ws in samples[c])
        return not counts or counts[math.ceil(0.9 * len(counts)) - 1] <= target

    def needed(c: int, target: int) -> float:
        low, high = minimum[c], max(minimum[c], total)
        if fits(c, low, target):
            return low
        for _ in range(20):
            mid = (low + high) / 2
            low, high = (low, mid) if fits(c, mid, target) else (mid, high)
        return high

    # The fewest lines per row that every column can reach within the page width; the width
    # left over is shared in proportion, so the columns keep their balance.
    for target in range(1, 41):
        widths = [needed(c, target) for c in columns]
        if sum(widths) <= total:
            break
    else:
        widths = list(minimum)
    # The width left over unwraps the columns that are cheapest to set on one line ("08 giờ 30"),
    # then goes to the others in proportion to what they would still use; what remains after
    # that widens every column alike.
    room = total - sum(widths)
    wants = {c: needed(c, 1) - widths[c] for c in columns if needed(c, 1) > widths[c]}
    for c in sorted(wants, key=wants.__getitem__):
        if wants[c] > room / len(wants):
            break
        widths[c] += wants.pop(c)
        room = total - sum(widths)
    if wants and room > 0:
        share = min(1.0, room / sum(wants.values()))
        for c, want in wants.items():
            widths[c] += want * share
        room = total - sum(widths)
    return [w + room * w / sum(widths) for w in widths]


def _weighted(weights: Sequence[float], minimum: Sequence[float], total: float) -> list[float]:
    """The caller's relative widths, each raised to its column's minimum; the columns above
    their minimum give up the difference in proportion to their width."""
    if sum(minimum) >= total:
        return [m * total / sum(minimum) for m in minimum]
    widths = [w * total / sum(weights) for w in weights]
    for _ in range(len(widths)):
        short = sum(max(0.0, m - w) for w, m in zip(widths, minimum, strict=True))
        if short <= 1e-6:
            break
        spare = [max(0.0, w - m) for w, m in zip(widths, minimum, strict=True)]
        widths = [
            max(w, m) - short * s / sum(spare)
            for w, m, s in zip(widths, minimum, spare, strict=True)
        ]
    return widths
