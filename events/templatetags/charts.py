"""The geometry of the SVG charts on the survey pages: selectors hand over
values (counts, averages) and these tags place them, so that a chart's
shape changes here and in its template only."""

from dataclasses import dataclass

from django import template

register = template.Library()

# Bar charts: one row per value, bars up to BAR_WIDTH wide.
BAR_WIDTH = 240
BAR_ROW = 26


@dataclass(frozen=True)
class BarRow:
    label: str
    count: int
    width: int
    y: int


@dataclass(frozen=True)
class BarChart:
    rows: list[BarRow]

    @property
    def height(self) -> int:
        return len(self.rows) * BAR_ROW


@register.simple_tag
def bar_chart(bars) -> BarChart:
    """``{% bar_chart question.bars as chart %}``: a row per bar (anything
    with ``label`` and ``count``), the longest count BAR_WIDTH wide."""
    top = max((bar.count for bar in bars), default=0)
    return BarChart(
        rows=[
            BarRow(
                label=bar.label,
                count=bar.count,
                width=round(BAR_WIDTH * bar.count / top) if top else 0,
                y=index * BAR_ROW,
            )
            for index, bar in enumerate(bars)
        ]
    )


@dataclass(frozen=True)
class TrendMark:
    point: object
    x: float
    y: float


@dataclass(frozen=True)
class TrendChart:
    marks: list[TrendMark]
    width: int = 640
    height: int = 220
    left: int = 40
    top: int = 16
    plot_height: int = 160

    @property
    def polyline(self) -> str:
        return " ".join(f"{m.x:.1f},{m.y:.1f}" for m in self.marks)

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        return [(value, self.y_of(value)) for value in (5, 4, 3, 2, 1)]

    @property
    def right(self) -> int:
        return self.width - 16

    @property
    def bottom(self) -> float:
        return self.y_of(1)

    def y_of(self, value: float) -> float:
        return self.top + (5 - value) / 4 * self.plot_height


@register.simple_tag
def trend_chart(points) -> TrendChart:
    """``{% trend_chart trend.points as chart %}``: a line chart of averages
    out of 5 (anything with ``average``), oldest first, spread evenly
    across the width; a single point sits in the middle."""
    frame = TrendChart(marks=[])
    span = frame.right - frame.left
    count = len(points)
    return TrendChart(
        marks=[
            TrendMark(
                point=point,
                x=frame.left + (span * index / (count - 1) if count > 1 else span / 2),
                y=frame.y_of(point.average),
            )
            for index, point in enumerate(points)
        ]
    )
