"""The geometry of the analytics charts (events/templates/events/
community_analytics.html, gathering_analytics.html): the selectors hand over
counts and averages (events.selectors.analytics), these tags place them in
an SVG viewBox the width of a phone, which the page scales to its width.

- ``funnel_chart``: a horizontal bar per step, applied to answered.
- ``month_chart``: per month, attended with the no-shows stacked on top
  (together the confirmed seats), and the satisfaction (out of 5) of the
  months that have one, as points on a second chart below it."""

from dataclasses import dataclass

from django import template
from django.utils import dateformat
from django.utils.translation import pgettext, pgettext_lazy

register = template.Library()

FUNNEL_LABELS = {
    "applied": pgettext_lazy("funnel", "Applied"),
    "won": pgettext_lazy("funnel", "Won a seat"),
    "confirmed": pgettext_lazy("funnel", "Confirmed"),
    "attended": pgettext_lazy("funnel", "Attended"),
    "answered": pgettext_lazy("funnel", "Answered the survey"),
}

# One width for every chart: a phone's, so that 13px text stays 13px there.
WIDTH = 360
FUNNEL_ROW = 46
FUNNEL_BAR = 16
# Months shown on the chart; the table below it has them all.
CHART_MONTHS = 12


@dataclass(frozen=True)
class FunnelBar:
    key: str
    label: str
    count: int
    share: float | None
    rate: float | None
    width: float
    y: int

    @property
    def bar_y(self) -> int:
        return self.y + 22

    @property
    def text_y(self) -> int:
        return self.y + 15


@dataclass(frozen=True)
class FunnelChart:
    bars: list[FunnelBar]
    width: int = WIDTH
    bar_height: int = FUNNEL_BAR

    @property
    def height(self) -> int:
        return len(self.bars) * FUNNEL_ROW


@register.simple_tag
def funnel_chart(steps) -> FunnelChart:
    """``{% funnel_chart steps as chart %}``: a bar per step (anything with
    ``key``, ``count``, ``share`` and ``rate``), the first step's count the
    full width."""
    top = max((step.count for step in steps), default=0)
    return FunnelChart(
        bars=[
            FunnelBar(
                key=step.key,
                label=str(FUNNEL_LABELS[step.key]),
                count=step.count,
                share=step.share,
                rate=step.rate,
                width=round(WIDTH * step.count / top, 1) if top else 0,
                y=index * FUNNEL_ROW,
            )
            for index, step in enumerate(steps)
        ]
    )


@dataclass(frozen=True)
class MonthMark:
    month: object  # a MonthRow
    label: str
    x: float  # the centre of the month's slot
    bar_width: float
    attended_y: float
    attended_height: float
    no_show_y: float
    no_show_height: float
    # None when the month has no satisfaction shown.
    satisfaction_y: float | None


@dataclass(frozen=True)
class MonthChart:
    marks: list[MonthMark]
    top_value: int
    width: int = WIDTH
    left: int = 30
    right: int = WIDTH - 6
    top: int = 10
    plot_height: int = 130
    # The satisfaction chart, under the bars.
    rating_top: int = 10
    rating_height: int = 100

    @property
    def height(self) -> int:
        return self.top + self.plot_height + 24

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def label_y(self) -> int:
        return self.bottom + 17

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        values = sorted({0, self.top_value // 2, self.top_value})
        return [(v, self.y_of(v)) for v in values]

    def y_of(self, value: float) -> float:
        return self.bottom - value / self.top_value * self.plot_height

    @property
    def rating_height_total(self) -> int:
        return self.rating_top + self.rating_height + 24

    @property
    def rating_bottom(self) -> int:
        return self.rating_top + self.rating_height

    @property
    def rating_label_y(self) -> int:
        return self.rating_bottom + 17

    @property
    def rating_gridlines(self) -> list[tuple[int, float]]:
        return [(v, self.rating_y_of(v)) for v in (5, 4, 3, 2, 1)]

    def rating_y_of(self, value: float) -> float:
        return self.rating_top + (5 - value) / 4 * self.rating_height

    @property
    def rated(self) -> list[MonthMark]:
        return [m for m in self.marks if m.satisfaction_y is not None]

    @property
    def rating_polyline(self) -> str:
        return " ".join(f"{m.x:.1f},{m.satisfaction_y:.1f}" for m in self.rated)


def _nice_top(value: int) -> int:
    """The smallest even number of at least ``value`` (and 2): the axis
    marks its half and its top, both whole numbers."""
    top = max(value, 2)
    return top + top % 2


@register.simple_tag
def month_chart(months) -> MonthChart:
    """``{% month_chart months as chart %}``: the last CHART_MONTHS of
    ``months`` (anything with ``month``, ``attended``, ``no_shows`` and
    ``satisfaction``), oldest first, each in a slot of equal width."""
    shown = list(months)[-CHART_MONTHS:]
    top_value = _nice_top(max((m.attended + m.no_shows for m in shown), default=0))
    frame = MonthChart(marks=[], top_value=top_value)
    span = frame.right - frame.left
    slot = span / len(shown) if shown else span
    bar_width = round(min(28, slot * 0.6), 1)
    label_format = pgettext("a month's short label on a chart", "M")
    marks = []
    for index, month in enumerate(shown):
        x = frame.left + slot * (index + 0.5)
        attended_top = frame.y_of(month.attended)
        no_show_top = frame.y_of(month.attended + month.no_shows)
        marks.append(
            MonthMark(
                month=month,
                label=dateformat.format(month.month, label_format),
                x=round(x, 1),
                bar_width=bar_width,
                attended_y=round(attended_top, 1),
                attended_height=round(frame.bottom - attended_top, 1),
                no_show_y=round(no_show_top, 1),
                no_show_height=round(attended_top - no_show_top, 1),
                satisfaction_y=(
                    None
                    if month.satisfaction is None
                    else round(frame.rating_y_of(month.satisfaction), 1)
                ),
            )
        )
    return MonthChart(marks=marks, top_value=top_value)


@register.filter
def bar_left(mark: MonthMark) -> float:
    """The x of a month's bar: its slot's centre less half the bar."""
    return round(mark.x - mark.bar_width / 2, 1)


@register.filter
def percent(value: float | None) -> str:
    """A share as a whole percentage ("42%"), "–" when there is none."""
    if value is None:
        return "–"
    return f"{round(value * 100)}%"
