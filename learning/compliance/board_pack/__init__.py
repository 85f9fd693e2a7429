"""The board pack: a short PDF for a partnership board, from the same figures as the
dashboards (compliance.figures_by, trend.monthly, since_launch) and a few of its own
(figures.py): cover; headline figures; compliance over the period (a line chart and the
change in each module); compliance by agency and module; coverage of the review's
recommendations; the questions most often answered wrong; attendance of face-to-face
courses; notes on method. Made with fpdf2 (pdf.py).

`build_board_pack(out, agency_id, start, end, progress=None)` is the one entry point for the
command line, the dashboard's download and (later) a background job: `progress(done, total)`
is called as each part is written.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import IO

from flask import current_app

from learning.compliance import Scope, figures_by, headcount, lookups, required_modules
from learning.compliance.board_pack import sections
from learning.compliance.board_pack.figures import course_attendance, most_missed, recommendation_coverage
from learning.compliance.board_pack.pdf import Pack
from learning.compliance.since_launch import since_launch
from learning.compliance.trend import MONTHS, month_starts, monthly
from learning.exports.cells import produced_on
from learning.impact.board_page import impact_page
from learning.impact.service import figures as impact_figures
from learning.models import utcnow

MAX_MONTHS = 36  # the longest period the chart draws month by month
STEPS = 8


class PeriodError(ValueError):
    """A period that ends before it starts, or ends in the future."""


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period a pack covers: `end` defaults to today, `start` to the first day of the
    twelve months up to it (as the dashboards' charts)."""
    end = end or today
    start = start or month_starts(end, MONTHS)[0]
    if end > today:
        raise PeriodError("The end of the period must be today or in the past")
    if start > end:
        raise PeriodError("The start of the period must be the same as or before its end")
    return start, end


def months_between(start: date, end: date) -> int:
    return min(MAX_MONTHS, (end.year - start.year) * 12 + end.month - start.month + 1)


def build_board_pack(out: IO[bytes] | str, agency_id: int | None = None, start: date | None = None,
                     end: date | None = None, progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the board pack for one agency (or, with None, every agency) over `start` to `end`
    to `out` (a path or a binary file); return counts for the audit trail."""
    return build(out, (agency_id,) if agency_id else None, start=start, end=end, progress=progress)


def build(out: IO[bytes] | str, agency_ids: tuple[int, ...] | None = None, now: datetime | None = None,
          start: date | None = None, end: date | None = None,
          progress: Callable[[int, int], None] | None = None) -> dict:
    now = now or utcnow()
    start, end = period(start, end, now.date())
    step = _stepper(progress)
    config = current_app.config
    agencies, _, _ = lookups()
    pdf = Pack(config["PARTNERSHIP_NAME"], config.get("PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE"), produced_on(now))
    scope = Scope(agency_ids=agency_ids)
    modules = required_modules(agency_ids)
    by_agency = figures_by(scope, by_agency=True, now=now)
    heads = headcount(scope)
    trend = monthly(agency_ids, end, months_between(start, end))
    change = since_launch(agency_ids, until=end, launched=start)
    covers = "Every agency" if agency_ids is None else ", ".join(agencies.get(a, str(a)) for a in agency_ids)
    step()

    sections.cover(pdf, covers, start, end)
    sections.headlines(pdf, by_agency, heads, change)
    step()
    sections.over_time(pdf, trend, change)
    step()
    sections.by_agency(pdf, agencies, modules, by_agency, heads)
    step()
    coverage = recommendation_coverage(agency_ids, start, end, now)
    sections.recommendations(pdf, coverage, sum(heads.values()), start, end)
    step()
    sections.missed(pdf, most_missed(agency_ids))
    step()
    pdf.ln(4)
    sections.courses(pdf, course_attendance(agency_ids, start, end), start, end)
    impact_page(pdf, impact_figures(agency_ids, "none", start, end))
    step()
    sections.method(pdf, trend.months[0], trend.months[-1])
    if isinstance(out, str):
        pdf.output(out)
    else:  # a file the caller opened (a job's, a response's)
        out.write(pdf.output())
    step()
    return {"pages": pdf.page_no(), "agencies": len(heads), "from": start.isoformat(), "to": end.isoformat()}


def _stepper(progress: Callable[[int, int], None] | None) -> Callable[[], None]:
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, STEPS)

    return step
