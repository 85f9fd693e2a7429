"""The chart of confidence before and after per recommendation: server-drawn SVG (no chart
JavaScript), named by a sentence, with the same figures in a table on the page. Figures
from fewer than MIN_PEOPLE people are left out of the chart, as from the table."""
from __future__ import annotations

from markupsafe import Markup, escape

from learning.impact.service import Figures

WIDTH, LEFT, RIGHT = 640, 8, 600
ROW, BAR, TOP = 64, 16, 34
BEFORE_COLOUR, AFTER_COLOUR = "#505a5f", "#1d70b8"


def summary(figures: Figures) -> str:
    shown = [r for r in figures.recommendations if not r.total.confidence_suppressed]
    if not shown:
        return (f"Confidence before and after: no recommendation has ratings from {figures.min_people} "
                "or more people yet.")
    parts = [f"{r.title}: {r.total.before} before, {r.total.after} after ({r.total.rated} people)" for r in shown]
    return "Mean confidence out of 5 before and after the learning. " + "; ".join(parts) + "."


def _x(value: float) -> float:
    return round(LEFT + (RIGHT - LEFT) * value / 5, 1)


def svg(figures: Figures, chart_id: str = "impact-chart") -> Markup:
    shown = [r for r in figures.recommendations if not r.total.confidence_suppressed]
    height = TOP + ROW * max(len(shown), 1) + 8
    parts = [f'<svg class="app-impact-chart" width="100%" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{chart_id}" focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}">{escape(summary(figures))}</title>',
             f'<rect x="{LEFT}" y="4" width="14" height="14" fill="{BEFORE_COLOUR}"/>',
             f'<text x="{LEFT + 20}" y="16" font-size="14" fill="#0b0c0c">Before</text>',
             f'<rect x="{LEFT + 90}" y="4" width="14" height="14" fill="{AFTER_COLOUR}"/>',
             f'<text x="{LEFT + 110}" y="16" font-size="14" fill="#0b0c0c">After (out of 5)</text>']
    for index, rec in enumerate(shown):
        top = TOP + index * ROW
        parts.append(f'<text x="{LEFT}" y="{top + 12}" font-size="13" fill="#0b0c0c">{escape(rec.title[:90])}</text>')
        for offset, value, colour in ((16, rec.total.before, BEFORE_COLOUR), (16 + BAR + 2, rec.total.after, AFTER_COLOUR)):
            y = top + offset
            parts.append(f'<rect x="{LEFT}" y="{y}" width="{_x(value or 0) - LEFT}" height="{BAR}" fill="{colour}"/>')
            parts.append(f'<text x="{_x(value or 0) + 4}" y="{y + 13}" font-size="13" fill="#0b0c0c">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value in it is a number or escaped above
