"""Compliance over time: a daily snapshot of the figures, and the last twelve months of it.

`take_snapshot` keeps, for one day, how many required (person, module) pairs of each agency
had each status: one INSERT ... SELECT over the same pairs statement the dashboards count,
so the database does the work and nothing comes back to Python, whatever the workforce.
`flask --app app snapshot` runs it (daily, from cron). `monthly` reads the last snapshot of
each month back for the dashboards' charts and the workbook's Trend sheet.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup, escape
from sqlalchemy import Date, delete, func, insert, literal, select

from learning.compliance import Scope, memo, pairs_statement, shape_of, values
from learning.compliance.status import Status
from learning.content.catalogue import catalogue
from learning.database import run
from learning.extensions import db
from learning.models import ComplianceSnapshot, Module, utcnow

MONTHS = 12
COMPLIANT = (Status.IN_DATE.value, Status.EXPIRING.value)


def take_snapshot(day: date | None = None, now: datetime | None = None) -> int:
    """Keep today's figures (or `day`'s, computed as at `now`); run again the same day, it
    replaces them. Returns how many rows were kept."""
    now = now or utcnow()
    day = day or now.date()
    scope = Scope()
    pairs = pairs_statement(shape_of(scope)).subquery()
    figures = (
        select(literal(day, Date), pairs.c.agency_id, pairs.c.module_id, pairs.c.status, func.count())
        .group_by(pairs.c.agency_id, pairs.c.module_id, pairs.c.status)
    )
    run(delete(ComplianceSnapshot).where(ComplianceSnapshot.day == day))
    result = run(insert(ComplianceSnapshot).from_select(["day", "agency_id", "module_id", "status", "people"], figures),
                 values(scope, now))
    kept = result.rowcount  # type: ignore[attr-defined]  # an INSERT's result is a CursorResult
    db.session.commit()
    return kept


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first day of each of the last `months` months, oldest first, this month last."""
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


@dataclass(frozen=True)
class Line:
    module_id: int
    title: str
    percents: list[int | None]  # per month, None where no snapshot was kept that month

    @property
    def known(self) -> list[int]:
        return [p for p in self.percents if p is not None]

    @property
    def change(self) -> int | None:
        """Points gained (or lost) from the first month with figures to the last."""
        return self.known[-1] - self.known[0] if len(self.known) > 1 else None


@dataclass(frozen=True)
class Trend:
    months: list[date]  # first day of each month, oldest first
    lines: list[Line]  # one per module, in module order

    @property
    def empty(self) -> bool:
        return not any(line.known for line in self.lines)


def monthly(agency_ids: tuple[int, ...] | None = None, today: date | None = None, months: int = MONTHS) -> Trend:
    """Percentage compliant per module at the last snapshot of each of the last `months`
    months, for the agencies given (None: every agency). Two small queries: the days kept,
    then the counts of the one day chosen per month."""
    today = today or utcnow().date()
    starts = month_starts(today, months)
    where = [ComplianceSnapshot.day >= starts[0], ComplianceSnapshot.day <= today]
    if agency_ids is not None:
        where.append(ComplianceSnapshot.agency_id.in_(agency_ids))
    last_day: dict[tuple[int, int], date] = {}
    for (day,) in run(select(ComplianceSnapshot.day).where(*where).distinct()):
        key = (day.year, day.month)
        if key not in last_day or day > last_day[key]:
            last_day[key] = day
    counts: dict[tuple[date, int], list[int]] = {}
    if last_day:
        rows = run(select(ComplianceSnapshot.day, ComplianceSnapshot.module_id, ComplianceSnapshot.status,
                          func.sum(ComplianceSnapshot.people))
                   .where(*where, ComplianceSnapshot.day.in_(list(last_day.values())))
                   .group_by(ComplianceSnapshot.day, ComplianceSnapshot.module_id, ComplianceSnapshot.status))
        for day, module_id, status, people in rows:
            total = counts.setdefault((day, module_id), [0, 0])
            total[1] += people
            if status in COMPLIANT:
                total[0] += people
    modules = {module_id for _, module_id in counts}
    rank = {content.slug: i for i, content in enumerate(catalogue().ordered())}
    titles = sorted(run(select(Module.id, Module.slug, Module.title).where(Module.id.in_(modules))),
                    key=lambda m: (rank.get(m.slug, len(rank)), m.id))
    lines = []
    for module_id, _, title in titles:
        percents: list[int | None] = []
        for start in starts:
            day = last_day.get((start.year, start.month))
            compliant, required = counts.get((day, module_id), (0, 0)) if day else (0, 0)
            percents.append(round(100 * compliant / required) if required else None)
        lines.append(Line(module_id, title, percents))
    return Trend(starts, lines)


# The chart: a small server-drawn SVG per module (no chart JavaScript), with the same
# figures in a table beside it for screen readers and for anyone who prefers numbers.
WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 44, 312, 12, 136


def month_label(start: date) -> str:
    return f"{start:%b %Y}"


def summary(line: Line, months: list[date]) -> str:
    """One sentence for the chart's accessible name, and for the page beneath it."""
    known = [(m, p) for m, p in zip(months, line.percents, strict=True) if p is not None]
    if not known:
        return f"{line.title}: no figures kept in the last {len(months)} months."
    (first_month, first), (last_month, last) = known[0], known[-1]
    if len(known) == 1:
        return f"{line.title}: {last}% compliant in {month_label(last_month)}."
    change = last - first
    moved = "up" if change > 0 else "down" if change < 0 else "no change"
    by = f" {abs(change)} points" if change else ""
    return (f"{line.title}: {first}% compliant in {month_label(first_month)}, {last}% in "
            f"{month_label(last_month)} ({moved}{by}).")


def svg(line: Line, months: list[date], chart_id: str) -> Markup:
    """A line chart of one module's monthly percentages, 0 to 100%, as inline SVG."""
    step = (RIGHT - LEFT) / max(len(months) - 1, 1)

    def y(percent: float) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * percent / 100, 1)

    parts = [f'<svg class="app-trend-chart" width="100%" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}" focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}">{escape(summary(line, months))}</title>']
    for level in (0, 50, 100):
        parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y(level)}" y2="{y(level)}" stroke="#b1b4b6" '
                     'stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(level) + 4}" text-anchor="end" font-size="12" '
                     f'fill="#0b0c0c">{level}%</text>')
    for index in (0, len(months) - 1):
        anchor = "start" if index == 0 else "end"
        parts.append(f'<text x="{LEFT + index * step}" y="{HEIGHT - 12}" text-anchor="{anchor}" font-size="12" '
                     f'fill="#0b0c0c">{month_label(months[index])}</text>')
    segment: list[str] = []
    segments = []
    for index, percent in enumerate(line.percents):
        if percent is None:
            segments.append(segment)
            segment = []
        else:
            segment.append(f"{round(LEFT + index * step, 1)},{y(percent)}")
    segments.append(segment)
    for points in segments:
        if len(points) > 1:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#1d70b8" stroke-width="3"/>')
        for point in points:
            cx, cy = point.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="#1d70b8"/>')
    parts.append("</svg>")
    # Every piece is built here from numbers and escaped text.
    return Markup("".join(parts))  # noqa: S704


def chart(trend: Trend, line: Line, chart_id: str) -> Markup:
    return svg(line, trend.months, chart_id)


def page_context(agency_ids: tuple[int, ...] | None) -> dict:
    """What templates/compliance/_trend.html needs, for a dashboard's render_template."""
    from learning.compliance.since_launch import since_launch  # it reads this module's constants

    # The partnership's twelve months and its change since launch read every agency's
    # snapshots (kept once a day): kept a few seconds (memo.py).
    if agency_ids is None:
        today = utcnow().date()
        trend, launch = memo.kept(("trend", today), monthly), memo.kept(("since launch", today), since_launch)
    else:
        trend, launch = monthly(agency_ids), since_launch(agency_ids)
    return {"trend": trend, "trend_chart": chart, "trend_summary": summary, "since_launch": launch}


def demo_history(today: date | None = None, months: int = MONTHS) -> int:
    """For the demo only: today's real snapshot, and for each earlier month a made-up one
    at its last day, rising to today's (compliance a year ago about half of today's; the
    difference counted as not started). Safe to run again. Returns the rows kept."""
    today = today or utcnow().date()
    kept = take_snapshot(today)
    rows = run(select(ComplianceSnapshot.agency_id, ComplianceSnapshot.module_id, ComplianceSnapshot.status,
                      ComplianceSnapshot.people).where(ComplianceSnapshot.day == today)).all()
    starts = month_starts(today, months)
    history = []
    for back, following in enumerate(starts[1:]):
        day = following - timedelta(days=1)
        factor = 0.5 + 0.5 * back / (months - 1)
        moved: dict[tuple[int, int], int] = {}
        for agency_id, module_id, status, people in rows:
            count = people
            if status in COMPLIANT:
                count = round(people * factor)
                moved[(agency_id, module_id)] = moved.get((agency_id, module_id), 0) + people - count
            elif status == Status.NOT_STARTED.value:
                continue  # added below, with the people moved into it
            history.append({"day": day, "agency_id": agency_id, "module_id": module_id, "status": status,
                            "people": count})
        not_started = {(a, m): p for a, m, s, p in rows if s == Status.NOT_STARTED.value}
        for key in moved.keys() | not_started.keys():
            history.append({"day": day, "agency_id": key[0], "module_id": key[1], "status": Status.NOT_STARTED.value,
                            "people": not_started.get(key, 0) + moved.get(key, 0)})
    run(delete(ComplianceSnapshot).where(ComplianceSnapshot.day >= starts[0], ComplianceSnapshot.day < starts[-1]))
    if history:
        db.session.execute(insert(ComplianceSnapshot), history)
    db.session.commit()
    return kept + len(history)
