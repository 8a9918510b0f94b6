"""A horizontal bar chart laid out once, drawn twice: ReportLab vectors (PDF), Pillow PNG (DOCX).

The layout is a list of primitives in points, origin at the bottom left, so both documents show
the same chart with the same Tinos text.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any, Literal

from ._fonts import font_path, pdf_font_name, text_width
from ._layout import wrap
from .model import BarChart, format_number

Anchor = Literal["start", "middle", "end"]

BAR_COLOUR = "#2f5597"
GRID_COLOUR = "#c8c8c8"
AXIS_COLOUR = "#404040"
TEXT_COLOUR = "#000000"

TITLE_SIZE = 12.0
LABEL_SIZE = 10.0
TICK_SIZE = 9.0
VALUE_SIZE = 9.5


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 0.5


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    bold: bool = False
    italic: bool = False
    anchor: Anchor = "start"


Primitive = Rect | Line | Text


@dataclass(frozen=True)
class ChartLayout:
    width: float
    height: float
    items: tuple[Primitive, ...]


def _nice_step(top: float, target_ticks: int = 5) -> float:
    raw = top / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def layout_chart(chart: BarChart, width: float, with_title: bool = False) -> ChartLayout:
    """Place the category labels, bars, value labels, grid, axis (and the title if asked)."""
    pad = 4.0
    # The title is set as a caption paragraph by the renderers (searchable text in both formats);
    # the graphic draws one only when asked to (a standalone image).
    title_lines = (
        wrap(chart.title, TITLE_SIZE, width - 2 * pad, bold=True)
        if chart.title and with_title
        else []
    )
    title_leading = TITLE_SIZE * 1.25
    label_width = 0.36 * width
    # A label wraps onto as many lines as it needs and is never cut: the rows grow instead.
    labels = [wrap(c, LABEL_SIZE, label_width - 6) for c in chart.categories]
    most_lines = max((len(lines) for lines in labels), default=1)
    row = 18.0 if most_lines == 1 else LABEL_SIZE * 1.15 * most_lines + 8.0
    plot_left = label_width
    value_room = max(
        (text_width(format_number(_tidy(v)), VALUE_SIZE) for v in chart.values), default=0.0
    )
    plot_right = width - value_room - 8
    top = max(chart.values, default=0.0)
    step = _nice_step(top if top > 0 else 1.0)
    axis_max = step * math.ceil((top if top > 0 else 1.0) / step)

    axis_label_height = TICK_SIZE * 1.6 + (LABEL_SIZE * 1.5 if chart.value_label else 0.0)
    plot_height = row * max(len(labels), 1)
    title_height = len(title_lines) * title_leading + (6 if title_lines else 0)
    height = pad + title_height + plot_height + axis_label_height + pad
    plot_top = height - pad - title_height
    plot_bottom = plot_top - plot_height

    def x_of(value: float) -> float:
        return plot_left + (plot_right - plot_left) * value / axis_max

    items: list[Primitive] = []
    y = height - pad - TITLE_SIZE
    for line in title_lines:
        items.append(Text(width / 2, y, line, TITLE_SIZE, bold=True, anchor="middle"))
        y -= title_leading

    ticks = round(axis_max / step)
    for i in range(ticks + 1):
        value = i * step
        x = x_of(value)
        items.append(Line(x, plot_bottom, x, plot_top, GRID_COLOUR, 0.4))
        items.append(
            Text(
                x,
                plot_bottom - TICK_SIZE * 1.2,
                format_number(_tidy(value)),
                TICK_SIZE,
                anchor="middle",
            )
        )
    if chart.value_label:
        items.append(
            Text(
                (plot_left + plot_right) / 2,
                plot_bottom - TICK_SIZE * 1.6 - LABEL_SIZE * 1.1,
                chart.value_label,
                LABEL_SIZE,
                italic=True,
                anchor="middle",
            )
        )

    bar_height = min(row * 0.62, 14.0)
    for index, (lines, value) in enumerate(zip(labels, chart.values, strict=True)):
        centre = plot_top - row * (index + 0.5)
        items.append(
            Rect(
                plot_left, centre - bar_height / 2, x_of(value) - plot_left, bar_height, BAR_COLOUR
            )
        )
        items.append(
            Text(
                x_of(value) + 3, centre - VALUE_SIZE * 0.33, format_number(_tidy(value)), VALUE_SIZE
            )
        )
        leading = LABEL_SIZE * 1.15
        first = centre + (len(lines) - 1) * leading / 2 - LABEL_SIZE * 0.33
        for n, line in enumerate(lines):
            items.append(Text(plot_left - 6, first - n * leading, line, LABEL_SIZE, anchor="end"))
    items.append(Line(plot_left, plot_bottom, plot_left, plot_top, AXIS_COLOUR, 0.8))
    items.append(Line(plot_left, plot_bottom, plot_right, plot_bottom, AXIS_COLOUR, 0.8))
    return ChartLayout(width, height, tuple(items))


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def chart_drawing(chart: BarChart, width: float) -> Any:
    """The chart as a ReportLab ``Drawing`` (a flowable, vector text in the embedded font)."""
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.shapes import Line as RLLine
    from reportlab.graphics.shapes import Rect as RLRect
    from reportlab.lib.colors import HexColor

    layout = layout_chart(chart, width)
    drawing = Drawing(layout.width, layout.height)
    drawing.initialFontName = pdf_font_name()  # else ReportLab references Helvetica
    drawing.initialFontSize = LABEL_SIZE
    for item in layout.items:
        if isinstance(item, Rect):
            drawing.add(
                RLRect(
                    item.x,
                    item.y,
                    item.width,
                    item.height,
                    fillColor=HexColor(item.fill),
                    strokeColor=None,
                )
            )
        elif isinstance(item, Line):
            drawing.add(
                RLLine(
                    item.x1,
                    item.y1,
                    item.x2,
                    item.y2,
                    strokeColor=HexColor(item.colour),
                    strokeWidth=item.width,
                )
            )
        else:
            drawing.add(
                String(
                    item.x,
                    item.y,
                    item.text,
                    fontSize=item.size,
                    fontName=pdf_font_name(item.bold, item.italic),
                    textAnchor=item.anchor,
                    fillColor=HexColor(TEXT_COLOUR),
                )
            )
    return drawing


def chart_png(chart: BarChart, width: float, dpi: int = 200) -> tuple[bytes, float]:
    """The chart as a PNG at ``dpi``; returns the bytes and the height in points."""
    from PIL import Image, ImageDraw, ImageFont

    layout = layout_chart(chart, width)
    scale = dpi / 72.0
    size = (round(layout.width * scale), round(layout.height * scale))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[float, bool, bool], ImageFont.FreeTypeFont] = {}

    def px(x: float, y: float) -> tuple[float, float]:
        return x * scale, (layout.height - y) * scale

    for item in layout.items:
        if isinstance(item, Rect):
            x0, y1 = px(item.x, item.y)
            x1, y0 = px(item.x + item.width, item.y + item.height)
            if x1 > x0:
                draw.rectangle((x0, y0, x1, y1), fill=item.fill)
        elif isinstance(item, Line):
            draw.line(
                (*px(item.x1, item.y1), *px(item.x2, item.y2)),
                fill=item.colour,
                width=max(1, round(item.width * scale)),
            )
        else:
            key = (item.size, item.bold, item.italic)
            if key not in fonts:
                fonts[key] = ImageFont.truetype(
                    str(font_path(item.bold, item.italic)), item.size * scale
                )
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[item.anchor]
            draw.text(
                px(item.x, item.y), item.text, font=fonts[key], fill=TEXT_COLOUR, anchor=anchor
            )
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue(), layout.height
