"""Attendance sheets for a face-to-face session: a sign-in sheet to print before it, and the
register with attendance after it. Built to be printed: landscape, fits the page width,
header rows repeated on every page, print area set."""
from __future__ import annotations

from typing import IO

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Border, Side
from sqlalchemy import select

from learning.extensions import db
from learning.models import Agency, Booking, BookingStatus, CourseSession, User
from learning.exports.cells import BOLD, TITLE, WRAP, cell, heading_row, print_setup, produced_on
from learning.courses.non_attendance import FORMAT_SESSION_TIME

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def build(out: IO[bytes] | str, session: CourseSession, register: bool) -> dict:
    wb = Workbook(write_only=True)
    sheet_title = "Register" if register else "Sign-in sheet"
    ws = wb.create_sheet(sheet_title)
    columns = ["No.", "Name", "Agency", "Job title", "Attendance" if register else "Signature"]
    course = session.course
    header_at = 7
    print_setup(ws, f"{sheet_title}: {course.title}, {produced_on(session.starts_at)}",
                [6, 30, 34, 28, 22 if register else 40], title_rows=f"{header_at}:{header_at}")
    statuses = [BookingStatus.ATTENDED, BookingStatus.ABSENT, BookingStatus.CANCELLED_LATE, BookingStatus.BOOKED]
    rows = db.session.execute(
        select(User.name, Agency.name, User.job_title, Booking.status, Booking.walk_in)
        .join(User, User.id == Booking.user_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(Booking.session_id == session.id, Booking.status.in_([s.value for s in statuses]))
        .order_by(User.name)
    ).all()
    ws.append([cell(ws, current_app.config["PARTNERSHIP_NAME"], font=TITLE)])
    ws.append([cell(ws, course.title, font=BOLD)])
    # Label and value in one cell: column A is the narrow "No." column, too narrow for a label.
    ws.append([cell(ws, "Date and time: " + session.starts_at.strftime(FORMAT_SESSION_TIME) + " to "
                    + session.ends_at.strftime("%H:%M"))])
    ws.append([cell(ws, "Venue: " + ("Online: " if session.online else "") + session.venue)])
    ws.append([cell(ws, "Trainer: " + (session.trainer or ""))])
    ws.append([])
    ws.append(heading_row(ws, header_at, columns))
    for number, (name, agency, job, status, walk_in) in enumerate(rows, 1):
        label = BookingStatus(status).label + (" (walk-in)" if walk_in else "")
        last = cell(ws, label if register else "", alignment=WRAP)
        line = [cell(ws, number), cell(ws, name), cell(ws, agency or ""), cell(ws, job or ""), last]
        for c in line:
            c.border = BOX
        # Before the row is written (write-only sheets write each row's height with it):
        # room to sign on the sign-in sheet.
        ws.row_dimensions[header_at + number].height = 30 if not register else 18
        ws.append(line)
    if not rows:
        ws.append([cell(ws, "No one is booked on this session.")])
    ws.print_area = f"A1:E{header_at + max(len(rows), 1)}"
    wb.save(out)
    return {"people": len(rows)}
