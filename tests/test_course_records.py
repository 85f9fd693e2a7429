"""What a session leaves on paper and in the records: late cancellations, the sign-in sheet's
walk-in rows and wait list, the register in groups, a lead's view of their own staff on a
session, the course emails in a subject access request and on erasure, and the demo's online
session."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from learning.courses import bookings as service
from learning.courses import notices
from learning.data_protection import erase
from learning.extensions import db
from learning.models import Booking, BookingStatus, CourseSession, Role, SessionEmail, utcnow
from tests.conftest import module_row, sign_in


@pytest.fixture
def course(ctx):
    return service.create_course("Child protection conference training", "A day course", 24, [module_row("escalation")])


def make_session(course, capacity=2, starts_in=timedelta(days=7), online=False, venue="Room 1, Civic Centre"):
    starts = (utcnow() + starts_in).replace(microsecond=0)
    return service.create_session(course, starts, starts + timedelta(hours=3), venue, online, capacity, "Ann Trainer")


def workbook(client, session, kind):
    response = client.get(f"/courses/manage/sessions/{session.id}/{kind}.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def test_a_place_given_up_less_than_two_days_before_is_a_late_cancellation(client, people, course):
    early, late = make_session(course, starts_in=timedelta(days=3)), make_session(course, starts_in=timedelta(days=1))
    pat = people.user()
    kept = service.book(early, pat)
    service.cancel(kept)
    assert kept.status == BookingStatus.CANCELLED.value
    sign_in(client, pat)
    booking = service.book(late, pat)
    page = client.post(f"/courses/bookings/{booking.id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "recorded as a late cancellation" in page
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED_LATE.value
    # A wait-list place given up is never late.
    full = make_session(course, capacity=1, starts_in=timedelta(days=1))
    service.book(full, people.user("a@example.org"))
    waiting = service.book(full, pat)
    service.cancel(waiting)
    assert waiting.status == BookingStatus.CANCELLED.value


def test_the_sign_in_sheet_has_walk_in_rows_and_the_wait_list_on_a_second_sheet(client, people, course):
    session = make_session(course, capacity=1)
    service.book(session, people.user("a@example.org", name="Ann Booked"))
    service.book(session, people.user("b@example.org", name="Bea Waiting"))
    service.book(session, people.user("c@example.org", name="Cal Waiting"))
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    wb = workbook(client, session, "sign-in-sheet")
    assert wb.sheetnames == ["Sign-in sheet", "Wait list"]
    sheet = list(wb["Sign-in sheet"].iter_rows(min_row=8, values_only=True))
    assert sheet[0][:2] == (1, "Ann Booked") and "Bea Waiting" not in {r[1] for r in sheet}
    assert [r[0] for r in sheet[2:]] == list(range(2, 12)) and all(r[1] is None for r in sheet[2:])
    waiting = wb["Wait list"]
    assert [r[:2] for r in waiting.iter_rows(min_row=8, values_only=True)] == [(1, "Bea Waiting"), (2, "Cal Waiting")]
    assert waiting.print_title_rows == "$7:$7" and int(waiting.page_setup.paperSize) == 9
    assert waiting["A2"].value == "Child protection conference training"


def test_the_register_lists_attended_walk_ins_did_not_attend_and_cancelled_late_apart(client, people, course):
    session = make_session(course, capacity=5)
    came, absent, late = (people.user(f"{n}@example.org", name=n.title()) for n in ("came", "absent", "late"))
    bookings = {u.name: service.book(session, u) for u in (came, absent, late)}
    session.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    service.take_register(session, {bookings["Came"].id: BookingStatus.ATTENDED,
                                    bookings["Absent"].id: BookingStatus.ABSENT,
                                    bookings["Late"].id: BookingStatus.CANCELLED_LATE})
    service.add_walk_in(session, people.user("walker@example.org", name="Walker"))
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    rows = [r for r in workbook(client, session, "register")["Register"].iter_rows(min_row=8, values_only=True)
            if any(r)]
    assert [(r[0], r[1], r[4]) for r in rows[:8]] == [
        (None, "Attended (1)", None), (1, "Came", "Attended"),
        (None, "Walk-ins: attended without booking (1)", None), (2, "Walker", "Attended (walk-in)"),
        (None, "Did not attend (1)", None), (3, "Absent", "Did not attend"),
        (None, "Cancelled late (1)", None), (4, "Late", "Cancelled late")]
    assert rows[8][1].startswith("Cancelled late: cancelled less than 2 days before the session")


def test_a_lead_sees_their_own_staff_on_a_session_and_no_one_elses(client, people, course):
    session = make_session(course, capacity=1)
    service.book(session, people.user("mine@example.org", name="Mia Mine", agency="Test Police"))
    service.book(session, people.user("theirs@example.org", name="Theo Theirs", agency="Northbrook Health"))
    service.book(session, people.user("waits@example.org", name="Wes Waits", agency="Test Police"))
    sign_in(client, people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Test Police"))
    page = client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)
    assert "Your staff on this session" in page
    assert "Mia Mine" in page and "Wes Waits" in page and "On the wait list" in page
    assert page.index("Mia Mine") < page.index("Wes Waits"), "booked first, then waiting"
    assert "Theo Theirs" not in page
    client.post("/sign-out")
    sign_in(client, people.user("pat@example.org"))
    page = client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)
    assert "Your staff on this session" not in page and "Mia Mine" not in page


def test_course_emails_are_in_the_subject_access_workbook_and_go_on_erasure(client, people, course):
    session = make_session(course)
    pat = people.user("pat@example.org", name="Pat Fielding")
    notices.send_notices([notices.for_booking(service.book(session, pat))])
    other = people.user("other@example.org")
    notices.send_notices([notices.for_booking(service.book(session, other))])
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    wb = load_workbook(io.BytesIO(client.get(f"/people/{pat.id}/data.xlsx").data))
    rows = list(wb["Course emails"].iter_rows(values_only=True))
    assert rows[0] == ("Course", "Session", "Email", "Sent", "Delivered")
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [("Child protection conference training", "Booking confirmed", "Yes")]
    erase(pat)
    assert db.session.scalar(select(func.count()).select_from(SessionEmail).where(SessionEmail.user_id == pat.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(SessionEmail)) == 1, "other people's log stays"
    assert db.session.scalar(select(func.count()).select_from(Booking).where(Booking.user_id == pat.id)) == 1


def test_the_demo_has_an_online_session_whose_confirmation_gives_the_joining_link(runner, ctx, mailbox):
    assert runner.invoke(args=["seed-demo", "--password", "a demo password for tests"]).exit_code == 0
    online = db.session.scalar(select(CourseSession).where(CourseSession.online.is_(True)))
    assert online.venue.startswith("https://") and "link sent on booking" not in online.venue
    booking = next(b for b in online.bookings if b.status == BookingStatus.BOOKED.value)
    notices.send_notices([notices.for_booking(booking)])
    text = mailbox.text(mailbox.messages(booking.user.email)[0])
    assert f"Joining details: {online.venue}" in text


def test_the_walk_in_rows_start_a_new_page_rather_than_begin_at_its_foot(ctx):
    from learning.courses.attendance_sheet import _walk_ins_split
    from learning.exports.cells import Layout

    layout = Layout(landscape=True, scale=1.0)
    assert not _walk_ins_split(layout, 2), "a short list leaves room on the first page"
    assert _walk_ins_split(layout, 11), "a heading at the foot of the first page moves to the next"
    assert not _walk_ins_split(layout, 12 + 15), "a full page before: the heading starts a page anyway"
    assert _walk_ins_split(layout, 12 + 15 + 13)


def test_a_leads_view_of_a_session_costs_the_same_queries_for_2_or_8_staff(client, people, course, count_queries):
    session = make_session(course, capacity=20)
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD)
    sign_in(client, lead)
    costs = []
    for n in range(8):
        service.book(session, people.user(f"staff{n}@example.org"))
        if n in (1, 7):
            db.session.expire_all()
            with count_queries() as queries:
                assert client.get(f"/courses/sessions/{session.id}").status_code == 200
            costs.append(queries())
    assert costs[0] == costs[1], costs
