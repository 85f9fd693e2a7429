"""Non-attendance: people who did not attend or cancelled late, per agency, in a date range.
Partnerships report it to agencies, and some charge for it."""
from __future__ import annotations

from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from learning.models import BookingStatus
from learning.exports.cells import TITLE, cell, header_row, landscape, set_widths

FORMAT_SESSION_TIME = "%-d %B %Y, %H:%M"


def build(out: IO[bytes] | str, rows, start: date, end: date) -> dict:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Non-attendance")
    landscape(ws)
    set_widths(ws, [32, 26, 32, 24, 36, 22, 30, 18])
    ws.append([cell(ws, f"Non-attendance from {start:%-d %B %Y} to {end:%-d %B %Y}", font=TITLE)])
    ws.append([])
    titles = ["Agency", "Name", "Email", "Job title", "Course", "Session", "Venue", "Recorded as"]
    ws.append(header_row(ws, titles))
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(titles))}3"
    for r in rows:
        ws.append([cell(ws, r.agency), cell(ws, r.name), cell(ws, r.email), cell(ws, r.job_title or ""),
                   cell(ws, r.course), cell(ws, r.starts_at), cell(ws, r.venue), cell(ws, BookingStatus(r.status).label)])
    wb.save(out)
    return {"rows": len(rows)}
