"""Attendance sheets for a face-to-face session: a sign-in sheet to print before it, and the
register with attendance after it. Built to be printed on A4: fits the page width, the
session's details above the columns, header rows repeated on every page, print area set.

The sign-in sheet lists the people booked, then WALK_IN_ROWS blank numbered rows for people
who come without booking, each tall enough to sign; the wait list is on a second sheet. The
register lists everyone in labelled groups: attended, walk-ins, did not attend, cancelled
late (learning/courses/bookings.py LATE_CANCELLATION says what counts as late) and, before
the register is taken, not yet marked."""
from __future__ import annotations

from typing import IO, Any

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Border, Side
from openpyxl.worksheet.pagebreak import Break
from sqlalchemy import select

from learning.courses.bookings import LATE_CANCELLATION
from learning.courses.non_attendance import FORMAT_SESSION_TIME
from learning.courses.times import local
from learning.exports.cells import BOLD, TITLE, WRAP, Layout, cell, heading_row, print_setup, produced_on
from learning.extensions import db
from learning.models import Agency, Booking, BookingStatus, CourseSession, User

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WALK_IN_ROWS = 10
SIGN_HEIGHT = 30  # points: room for a signature
ROW_HEIGHT = 18
HEADER_AT = 7  # the column headings' row, below the session's details
HEADING_POINTS = 15  # the column headings repeated at the top of each later page
GROUP_POINTS = ROW_HEIGHT + 6  # a group's label row


def _people(session: CourseSession, statuses: list[BookingStatus]) -> list[Any]:
    return list(db.session.execute(
        select(User.name, Agency.name, User.job_title, Booking.status, Booking.walk_in, Booking.created_at)
        .join(User, User.id == Booking.user_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(Booking.session_id == session.id, Booking.status.in_([s.value for s in statuses]))
        .order_by(User.name)
    ).all())


def _details(ws, session: CourseSession) -> None:
    """Rows 1 to 6: the partnership, the course and the session, each label and value in
    column A's cell (A is the narrow "No." column, too narrow for a label on its own)."""
    starts, ends = local(session.starts_at), local(session.ends_at)
    ws.append([cell(ws, current_app.config["PARTNERSHIP_NAME"], font=TITLE)])
    ws.append([cell(ws, session.course.title, font=BOLD)])
    ws.append([cell(ws, f"Date and time: {starts.strftime(FORMAT_SESSION_TIME)} to {ends:%H:%M}")])
    ws.append([cell(ws, "Venue: " + ("Online: " if session.online else "") + session.venue)])
    ws.append([cell(ws, "Trainer: " + (session.trainer or ""))])
    ws.append([])


def _row(ws, row_number: int, values: list[Any], height: float) -> None:
    line = [cell(ws, v, alignment=WRAP) for v in values]
    for c in line:
        c.border = BOX
    # Before the row is written (write-only sheets write each row's height with it).
    ws.row_dimensions[row_number].height = height
    ws.append(line)


def _group(ws, row_number: int, label: str) -> None:
    ws.row_dimensions[row_number].height = GROUP_POINTS
    ws.append([None, cell(ws, label, font=BOLD)])


def _sign_in(wb: Workbook, session: CourseSession) -> int:
    ws = wb.create_sheet("Sign-in sheet")
    layout = print_setup(ws, f"Sign-in sheet: {session.course.title}, {produced_on(local(session.starts_at))}",
                [6, 30, 34, 28, 40], title_rows=f"{HEADER_AT}:{HEADER_AT}")
    rows = _people(session, [BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.ABSENT])
    _details(ws, session)
    ws.append(heading_row(ws, HEADER_AT, ["No.", "Name", "Agency", "Job title", "Signature"]))
    at = HEADER_AT
    for number, (name, agency, job, *_rest) in enumerate(rows, 1):
        at += 1
        _row(ws, at, [number, name, agency or "", job or "", ""], SIGN_HEIGHT)
    at += 1
    if _walk_ins_split(layout, len(rows)):
        ws.row_breaks.append(Break(id=at - 1))
    _group(ws, at, "Not booked: write your name, agency and job title, then sign")
    for number in range(len(rows) + 1, len(rows) + WALK_IN_ROWS + 1):
        at += 1
        _row(ws, at, [number, "", "", "", ""], SIGN_HEIGHT)
    ws.print_area = f"A1:E{at}"
    _wait_list(wb, session)
    return len(rows)


# What fits down a page, in points at 100%: A4 less print_setup's top and bottom margins.
PAGE_POINTS = {True: 595 - 130, False: 842 - 130}
DETAILS_POINTS = 110  # the session's details and the headings on the first page
WALK_INS_TOGETHER = 4  # the walk-in heading starts a new page unless this many rows follow it


def _walk_ins_split(layout: Layout, booked: int) -> bool:
    """Whether the walk-in rows' heading would fall so near the foot of a page that fewer
    than WALK_INS_TOGETHER rows follow it there. An estimate from the rows' fixed heights
    (write-only sheets cannot ask where a page ends); it errs towards the break."""
    page = PAGE_POINTS[layout.landscape] / layout.scale
    first = int((page - DETAILS_POINTS) // SIGN_HEIGHT)
    later = int((page - HEADING_POINTS) // SIGN_HEIGHT)
    used = booked if booked <= first else (booked - first) % later
    room = (page - (DETAILS_POINTS if booked <= first else HEADING_POINTS)) - used * SIGN_HEIGHT
    if booked > first and used == 0:
        return False  # the page before is full: the heading starts a page anyway
    return room < GROUP_POINTS + WALK_INS_TOGETHER * SIGN_HEIGHT


def _wait_list(wb: Workbook, session: CourseSession) -> None:
    ws = wb.create_sheet("Wait list")
    print_setup(ws, f"Wait list: {session.course.title}, {produced_on(local(session.starts_at))}",
                [6, 30, 34, 28, 20], title_rows=f"{HEADER_AT}:{HEADER_AT}")
    rows = _people(session, [BookingStatus.WAITLISTED])
    rows.sort(key=lambda r: r.created_at)  # in the order they joined: the order places go in
    _details(ws, session)
    ws.append(heading_row(ws, HEADER_AT, ["No.", "Name", "Agency", "Job title", "Joined the wait list"]))
    for number, (name, agency, job, _status, _walk_in, joined) in enumerate(rows, 1):
        _row(ws, HEADER_AT + number, [number, name, agency or "", job or "", produced_on(local(joined))], ROW_HEIGHT)
    if not rows:
        ws.append([None, cell(ws, "No one is on the wait list.")])
    ws.print_area = f"A1:E{HEADER_AT + max(len(rows), 1)}"


GROUPS = [  # (heading, status, walk-in)
    ("Attended", BookingStatus.ATTENDED, False),
    ("Walk-ins: attended without booking", BookingStatus.ATTENDED, True),
    ("Did not attend", BookingStatus.ABSENT, False),
    ("Cancelled late", BookingStatus.CANCELLED_LATE, False),
    ("Not yet marked", BookingStatus.BOOKED, False),
]


def _register(wb: Workbook, session: CourseSession) -> int:
    ws = wb.create_sheet("Register")
    print_setup(ws, f"Register: {session.course.title}, {produced_on(local(session.starts_at))}",
                [6, 30, 34, 28, 22], title_rows=f"{HEADER_AT}:{HEADER_AT}")
    rows = _people(session, [BookingStatus.ATTENDED, BookingStatus.ABSENT, BookingStatus.CANCELLED_LATE,
                             BookingStatus.BOOKED])
    _details(ws, session)
    ws.append(heading_row(ws, HEADER_AT, ["No.", "Name", "Agency", "Job title", "Attendance"]))
    at, number = HEADER_AT, 0
    for heading, status, walk_in in GROUPS:
        group = [r for r in rows if r.status == status.value and (status is not BookingStatus.ATTENDED
                                                                  or bool(r.walk_in) == walk_in)]
        if not group:
            continue
        at += 1
        _group(ws, at, f"{heading} ({len(group)})")
        for name, agency, job, _status, is_walk_in, _joined in group:
            at, number = at + 1, number + 1
            label = status.label + (" (walk-in)" if is_walk_in else "")
            _row(ws, at, [number, name, agency or "", job or "", label], ROW_HEIGHT)
    if not rows:
        at += 1
        ws.append([None, cell(ws, "No one is booked on this session.")])
    at += 2
    ws.append([])
    days = LATE_CANCELLATION.days
    # Not wrapped: the note runs on across the empty cells to its right.
    ws.append([None, cell(ws, f"Cancelled late: cancelled less than {days} days before the session, or marked so "
                              "on the register.")])
    ws.print_area = f"A1:E{at}"
    return len(rows)


def build(out: IO[bytes] | str, session: CourseSession, register: bool) -> dict:
    wb = Workbook(write_only=True)
    people = _register(wb, session) if register else _sign_in(wb, session)
    wb.save(out)
    return {"people": people}
