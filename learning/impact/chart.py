"""The chart of confidence before and after per recommendation: server-drawn SVG (no chart
JavaScript), named by a sentence, with the same figures in a table on the page. Figures
from fewer than MIN_PEOPLE people are left out of the chart, as from the table."""
from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

from learning.impact.service import Figures

WIDTH, LEFT, RIGHT = 640, 8, 590
LINE, BAR, TOP, GAP = 18, 18, 34, 16
TITLE_CHARACTERS = 68  # per line of a recommendation's title, at 15px in 640
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
    shown = [(r, textwrap.wrap(r.title, TITLE_CHARACTERS)) for r in figures.recommendations
             if not r.total.confidence_suppressed]
    height = TOP + sum(LINE * len(lines) + 4 + 2 * BAR + 2 + GAP for _r, lines in shown) + 8
    parts = [f'<svg class="app-impact-chart" width="100%" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{chart_id}" focusable="false" font-family="arial, sans-serif" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}">{escape(summary(figures))}</title>',
             f'<rect x="{LEFT}" y="4" width="14" height="14" fill="{BEFORE_COLOUR}"/>',
             f'<text x="{LEFT + 20}" y="16" font-size="14" fill="#0b0c0c">Before</text>',
             f'<rect x="{LEFT + 90}" y="4" width="14" height="14" fill="{AFTER_COLOUR}"/>',
             f'<text x="{LEFT + 110}" y="16" font-size="14" fill="#0b0c0c">After (out of 5)</text>']
    top = TOP
    for rec, lines in shown:
        for number, line in enumerate(lines):
            parts.append(f'<text x="{LEFT}" y="{top + 14 + LINE * number}" font-size="15" fill="#0b0c0c">'
                         f'{escape(line)}</text>')
        first_bar = top + LINE * len(lines) + 4
        top = first_bar + 2 * BAR + 2 + GAP
        for offset, value, colour in ((0, rec.total.before, BEFORE_COLOUR), (BAR + 2, rec.total.after, AFTER_COLOUR)):
            y = first_bar + offset
            parts.append(f'<rect x="{LEFT}" y="{y}" width="{_x(value or 0) - LEFT}" height="{BAR}" fill="{colour}"/>')
            parts.append(f'<text x="{_x(value or 0) + 4}" y="{y + 14}" font-size="15" fill="#0b0c0c">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value in it is a number or escaped above
