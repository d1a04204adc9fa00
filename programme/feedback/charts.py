"""Diverging stacked bar charts of five-point answers, as inline SVG.

Disagreeing answers extend left of a centre line and agreeing answers right
of it. "Unsure" straddles the line, half on each side. Colours are SVG
presentation attributes, which the Content-Security-Policy allows, unlike
``style`` attributes. ElementTree builds the markup, so every text and
attribute value is escaped.
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from programme.feedback.models import Likert

SCALE = tuple(Likert.values)  # 1 (strongly disagree) to 5 (strongly agree)
DISAGREE = (Likert.STRONGLY_DISAGREE, Likert.SLIGHTLY_DISAGREE)
AGREE = (Likert.SLIGHTLY_AGREE, Likert.STRONGLY_AGREE)

# A diverging red-blue scheme that people with red-green colour blindness can
# tell apart (ColorBrewer RdBu, five classes), with a neutral grey in the middle.
FILL = {1: "#ca0020", 2: "#f4a582", 3: "#d9d9d9", 4: "#92c5de", 5: "#0571b0"}
# Text colour on each fill, for a contrast ratio of at least 4.5:1.
TEXT_FILL = {1: "#ffffff", 2: "#000000", 3: "#000000", 4: "#000000", 5: "#ffffff"}

WIDTH = 640
LABEL_RIGHT = 150  # labels end here
BAR_LEFT = 160
HALF_WIDTH = 230  # pixels for 100% on either side of the centre line
CENTRE = BAR_LEFT + HALF_WIDTH
TOP = 22  # room for the "Disagree | Agree" heading
ROW_HEIGHT = 30
BAR_HEIGHT = 22
LEGEND_HEIGHT = 34
MIN_LABELLED_WIDTH = 30  # narrower segments carry no percentage text
FONT = {"font-family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "font-size": "12"}


@dataclass(frozen=True)
class Bar:
    """One group's answers to one statement, or the reason they are not shown."""

    label: str
    counts: Mapping[int, int] = field(default_factory=dict)
    hidden_reason: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.get(value, 0) for value in SCALE)


def percentages(counts: Mapping[int, int]) -> dict[int, int]:
    """Return each answer's share as a whole percentage, rounding halves up.

    Equal counts always get equal percentages, so a row may add up to 99 or
    101. With no answers every percentage is 0.
    """
    total = sum(counts.get(value, 0) for value in SCALE)
    if total == 0:
        return dict.fromkeys(SCALE, 0)
    return {value: (counts.get(value, 0) * 200 + total) // (2 * total) for value in SCALE}


def summary(bar: Bar) -> str:
    """Describe one bar in words, for screen readers and the chart's description."""
    if bar.hidden_reason:
        return f"{bar.label}: {bar.hidden_reason}"
    shares = percentages(bar.counts)
    agree = sum(shares[value] for value in AGREE)
    disagree = sum(shares[value] for value in DISAGREE)
    return (
        f"{bar.label}, {bar.total} answers: {agree}% agree, "
        f"{shares[Likert.UNSURE]}% unsure, {disagree}% disagree."
    )


def _segments(bar: Bar) -> list[tuple[int, float, float]]:
    """Return (answer, left x, width) for each answer with a share, left to right."""
    total = bar.total
    if total == 0:
        return []
    share = {value: bar.counts.get(value, 0) / total for value in SCALE}
    left = CENTRE - HALF_WIDTH * (share[3] / 2 + share[2] + share[1])
    segments = []
    for value in SCALE:
        width = HALF_WIDTH * share[value]
        if width > 0:
            segments.append((value, left, width))
        left += width
    return segments


def _text(parent: ET.Element, x: float, y: float, content: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **attrs})
    element.text = content
    return element


def _draw_bar(svg: ET.Element, bar: Bar, top: float) -> None:
    middle = top + BAR_HEIGHT / 2 + 4
    label = bar.label if bar.hidden_reason else f"{bar.label} (n={bar.total})"
    _text(svg, LABEL_RIGHT, middle, label, **{"text-anchor": "end"})
    if bar.hidden_reason:
        _text(svg, BAR_LEFT, middle, bar.hidden_reason, **{"font-style": "italic"})
        return

    shares = percentages(bar.counts)
    for value, left, width in _segments(bar):
        rect = ET.SubElement(
            svg,
            "rect",
            {
                "x": f"{left:.1f}",
                "y": f"{top:.1f}",
                "width": f"{width:.1f}",
                "height": str(BAR_HEIGHT),
                "fill": FILL[value],
            },
        )
        tooltip = ET.SubElement(rect, "title")
        tooltip.text = f"{bar.label}: {Likert(value).label} {shares[value]}%"
        if width >= MIN_LABELLED_WIDTH:
            _text(
                svg,
                left + width / 2,
                middle,
                f"{shares[value]}%",
                fill=TEXT_FILL[value],
                **{"text-anchor": "middle"},
            )


def _draw_legend(svg: ET.Element, top: float) -> None:
    step = WIDTH / len(SCALE)
    for index, value in enumerate(SCALE):
        left = index * step + 4
        ET.SubElement(
            svg,
            "rect",
            {
                "x": f"{left:.1f}",
                "y": f"{top:.1f}",
                "width": "12",
                "height": "12",
                "fill": FILL[value],
                "stroke": "#595959",
                "stroke-width": "0.5",
            },
        )
        _text(svg, left + 16, top + 10, Likert(value).label)


def diverging_bar_chart(*, chart_id: str, title: str, bars: list[Bar]) -> SafeString:
    """Return an inline SVG chart with one bar per group, a legend, a title and a description.

    ``chart_id`` must be unique on the page: the title and description are
    referenced by id. A bar with ``hidden_reason`` shows that text instead.
    """
    height = TOP + ROW_HEIGHT * len(bars) + LEGEND_HEIGHT
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "class": "feedback-chart",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            **FONT,
        },
    )
    title_element = ET.SubElement(svg, "title", {"id": f"{chart_id}-title"})
    title_element.text = title
    description = ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"})
    description.text = " ".join(summary(bar) for bar in bars)

    _text(svg, CENTRE - 6, 14, "Disagree", **{"text-anchor": "end"})
    _text(svg, CENTRE + 6, 14, "Agree")
    for index, bar in enumerate(bars):
        _draw_bar(svg, bar, TOP + index * ROW_HEIGHT)
    ET.SubElement(
        svg,
        "line",
        {
            "x1": str(CENTRE),
            "x2": str(CENTRE),
            "y1": str(TOP - 4),
            "y2": str(TOP + ROW_HEIGHT * len(bars)),
            "stroke": "#333333",
            "stroke-width": "1",
        },
    )
    _draw_legend(svg, TOP + ROW_HEIGHT * len(bars) + 12)

    # ElementTree escapes all text and attribute values, so the markup is safe.
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308
