"""Non-attendance: people who did not attend or cancelled late, per agency, in a date range.
Partnerships report it to agencies, and some charge for it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from learning.courses.times import local
from learning.exports.cells import DATE_TIME_FORMAT, TITLE, cell, heading_row, print_setup, produced_on
from learning.models import BookingStatus

FORMAT_SESSION_TIME = "%-d %b %Y, %H:%M"  # d mmm yyyy, as every date in the workbooks


def build(out: IO[bytes] | str, rows, start: date, end: date, progress: Callable[[int], None] | None = None) -> dict:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Non-attendance")
    title = f"Non-attendance from {produced_on(start)} to {produced_on(end)}"
    print_setup(ws, title, [28, 24, 28, 20, 32, 16, 24, 14], title_rows="3:3", title_columns="A:B")
    ws.append([cell(ws, title, font=TITLE)])
    ws.append([])
    titles = ["Agency", "Name", "Email", "Job title", "Course", "Session", "Venue", "Recorded as"]
    ws.append(heading_row(ws, 3, titles))
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(titles))}3"
    for r in rows:
        ws.append([cell(ws, r.agency), cell(ws, r.name), cell(ws, r.email), cell(ws, r.job_title or ""),
                   cell(ws, r.course), cell(ws, local(r.starts_at), number_format=DATE_TIME_FORMAT),
                   cell(ws, r.venue), cell(ws, BookingStatus(r.status).label)])
    if progress:
        progress(len(rows))
    wb.save(out)
    return {"rows": len(rows)}
