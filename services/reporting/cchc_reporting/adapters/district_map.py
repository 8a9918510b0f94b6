"""A picture of the city's 22 district-level units coloured by how far a model reached each:
a tile cartogram (one square per unit, placed roughly where the unit lies), as SVG."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from xml.sax.saxutils import escape

from cchc_reporting.domain.follow_up import DistrictShare
from cchc_shared.reference import DISTRICT_TILES, short_district_name

_TILE: Final = 104
_GAP: Final = 6
_TOP: Final = 64
_LEFT: Final = 16
# From a pale to a deep green as the share adopted grows; grey where no target lies.
_SCALE: Final = ("#e8f5e9", "#c8e6c9", "#a5d6a7", "#66bb6a", "#388e3c", "#1b5e20")
_NO_TARGET: Final = "#eceff1"


def _colour(percent: float | None) -> str:
    if percent is None:
        return _NO_TARGET
    return _SCALE[min(len(_SCALE) - 1, int(percent // (100 / (len(_SCALE) - 1))))]


def district_map_svg(title: str, shares: Sequence[DistrictShare]) -> str:
    width = _LEFT * 2 + 6 * _TILE + 5 * _GAP
    height = _TOP + 6 * (_TILE + _GAP) + 56
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="Tinos, Liberation Serif, serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="{width / 2}" y="28" text-anchor="middle" font-size="18" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<text x="{width / 2}" y="50" text-anchor="middle" font-size="13">'
        "Tỷ lệ cơ quan, đơn vị đã áp dụng trên địa bàn mỗi quận, huyện</text>",
    ]
    for share in shares:
        column, row = DISTRICT_TILES[share.district_code]
        x = _LEFT + column * (_TILE + _GAP)
        y = _TOP + row * (_TILE + _GAP)
        percent = share.percent
        figure = f"{share.adopted}/{share.targets}" if share.targets else "—"
        label = f"{percent:g}%" if percent is not None else "không giao"
        ink = "#ffffff" if percent is not None and percent >= 60 else "#1a1a1a"
        parts += [
            f"<g><title>{escape(share.name)}: {figure} đơn vị đã áp dụng</title>",
            f'<rect x="{x}" y="{y}" width="{_TILE}" height="{_TILE}" rx="6" '
            f'fill="{_colour(percent)}" stroke="#607d8b" stroke-width="1"/>',
            f'<text x="{x + _TILE / 2}" y="{y + 34}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{ink}">{escape(short_district_name(share.name))}</text>',
            f'<text x="{x + _TILE / 2}" y="{y + 60}" text-anchor="middle" font-size="16" '
            f'fill="{ink}">{escape(label)}</text>',
            f'<text x="{x + _TILE / 2}" y="{y + 82}" text-anchor="middle" font-size="12" '
            f'fill="{ink}">{escape(figure)}</text></g>',
        ]
    legend_y = _TOP + 6 * (_TILE + _GAP) + 12
    step = 100 / (len(_SCALE) - 1)
    for i, colour in enumerate(_SCALE):
        x = _LEFT + i * 70
        lower = int(i * step)
        parts += [
            f'<rect x="{x}" y="{legend_y}" width="22" height="16" fill="{colour}" '
            'stroke="#607d8b"/>',
            f'<text x="{x + 28}" y="{legend_y + 13}" font-size="12">≥{lower}%</text>',
        ]
    x = _LEFT + len(_SCALE) * 70
    parts += [
        f'<rect x="{x}" y="{legend_y}" width="22" height="16" fill="{_NO_TARGET}" '
        'stroke="#607d8b"/>',
        f'<text x="{x + 28}" y="{legend_y + 13}" font-size="12">không giao</text>',
        "</svg>",
    ]
    return "\n".join(parts)
