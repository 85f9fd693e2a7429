"""Face-to-face courses: booking, wait list, register, attendance sheets."""
import io
import threading
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from learning.compliance import Scope, figures_by
from learning.courses import bookings as service
from learning.courses.times import local
from learning.extensions import db
from learning.models import Booking, BookingStatus, Completion, Course, CourseSession, Role, utcnow
from tests.conftest import module_row, sign_in

SLUG = "escalation"


@pytest.fixture
def course(ctx):
    return service.create_course("Child protection conference training", "", 24, [module_row(SLUG)])


def make_session(course, capacity=2, starts_in=timedelta(days=7)):
    start = (utcnow() + starts_in).replace(microsecond=0)
    return service.create_session(course, start, start + timedelta(hours=3), "Room 1, Civic Centre", False, capacity, "Ann Trainer")


def test_a_coordinator_creates_a_course_and_a_session(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    module = module_row(SLUG)
    response = client.post("/courses/manage/new", data={"title": "Whole family approach", "modules": [module.id],
                                                         "validity_months": 24, "description": "A day course"})
    course = db.session.scalar(select(Course))
    assert response.status_code == 302 and course.title == "Whole family approach" and course.modules == [module]
    day = utcnow() + timedelta(days=30)
    response = client.post(f"/courses/manage/{course.id}/sessions/new", data={
        "day": [day.day, day.month, day.year], "starts": "09:30", "ends": "12:30", "venue": "Room 2",
        "capacity": 20, "trainer": "Ann"})
    assert response.status_code == 302
    session = db.session.scalar(select(CourseSession))
    assert session.capacity == 20 and session.starts_at.hour == 9 and session.starts_at.minute == 30


def test_a_session_form_with_mistakes_explains_them(client, people, course):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    page = client.post(f"/courses/manage/{course.id}/sessions/new", data={"starts": "25:00", "ends": "", "capacity": "0"})
    text = page.get_data(as_text=True)
    assert "<title>Error:" in text and "Enter a time in the 24-hour clock" in text and "Enter the date of the session" in text
    assert db.session.scalar(select(func.count(CourseSession.id))) == 0


def test_booking_fills_places_then_the_wait_list(people, course):
    session = make_session(course, capacity=2)
    a, b, c = (people.user(f"{n}@example.org") for n in "abc")
    assert service.book(session, a).status == "booked"
    assert service.book(session, b).status == "booked"
    assert service.book(session, c).status == "waitlisted"
    again = service.book(session, a)
    assert again.status == "booked" and db.session.scalar(select(func.count(Booking.id))) == 3


def test_cancelling_promotes_the_first_person_waiting(people, course):
    session = make_session(course, capacity=1)
    a, b, c = (people.user(f"{n}@example.org") for n in "abc")
    first = service.book(session, a)
    service.book(session, b)
    service.book(session, c)
    promoted = service.cancel(first)
    assert promoted.user_id == b.id and promoted.status == "booked" and promoted.seat == 1
    assert db.session.get(Booking, first.id).status == "cancelled"


def test_cancelling_after_the_start_is_refused(people, course):
    session = make_session(course, capacity=1, starts_in=timedelta(minutes=30))
    booking = service.book(session, people.user())
    with pytest.raises(service.BookingError, match="has started"):
        service.cancel(booking, now=utcnow() + timedelta(hours=1))


def test_concurrent_bookings_never_exceed_capacity(app, people, course):
    capacity, bookers = 3, 12
    session = make_session(course, capacity=capacity)
    users = [people.user(f"u{i}@example.org") for i in range(bookers)]
    session_id, user_ids = session.id, [u.id for u in users]
    barrier = threading.Barrier(bookers)
    errors = []

    def book(user_id):
        with app.app_context():
            from learning.models import User

            s, u = db.session.get(CourseSession, session_id), db.session.get(User, user_id)
            barrier.wait()
            try:
                service.book(s, u)
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    rows = db.session.scalars(select(Booking).where(Booking.session_id == session_id)).all()
    booked = [b for b in rows if b.status == "booked"]
    assert len(rows) == bookers and len(booked) == capacity
    assert sorted(b.seat for b in booked) == list(range(1, capacity + 1))


def test_a_practitioner_books_and_cancels_through_the_pages(client, people, course):
    session = make_session(course, capacity=5)
    sign_in(client, people.user())
    assert "Child protection conference training" in client.get("/courses/").get_data(as_text=True)
    client.post(f"/courses/sessions/{session.id}/book")
    booking = db.session.scalar(select(Booking))
    assert booking.status == "booked"
    confirm = client.get(f"/courses/bookings/{booking.id}/cancel").get_data(as_text=True)
    assert "Are you sure you want to cancel?" in confirm
    client.post(f"/courses/bookings/{booking.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"


def test_nobody_can_cancel_someone_elses_booking(app, client, people, course):
    session = make_session(course)
    booking = service.book(session, people.user("a@example.org"))
    sign_in(client, people.user("b@example.org"))
    assert client.post(f"/courses/bookings/{booking.id}/cancel").status_code == 404


def test_a_practitioner_cannot_take_a_register(client, people, course):
    session = make_session(course)
    booking = service.book(session, people.user("a@example.org"))
    sign_in(client, people.user("b@example.org"))
    response = client.post(f"/courses/manage/sessions/{session.id}/register", data={f"mark-{booking.id}": "attended"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "booked"


def test_attendance_completes_the_courses_modules_and_shows_in_compliance(client, people, course):
    session = make_session(course, capacity=3, starts_in=timedelta(days=1))
    pat, sam = people.user("pat@example.org"), people.user("sam@example.org")
    b1, b2 = service.book(session, pat), service.book(session, sam)
    session.starts_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    missing = client.post(f"/courses/manage/sessions/{session.id}/register", data={f"mark-{b1.id}": "attended"})
    assert "Select whether" in missing.get_data(as_text=True) and db.session.scalar(select(func.count(Completion.id))) == 0
    client.post(f"/courses/manage/sessions/{session.id}/register", data={f"mark-{b1.id}": "attended", f"mark-{b2.id}": "absent"})
    completion = db.session.scalar(select(Completion))
    assert completion.user_id == pat.id and completion.source == "course" and completion.module_id == module_row(SLUG).id
    assert completion.expires_at.year == session.starts_at.year + 2
    figures = figures_by(Scope())[module_row(SLUG).id]
    assert figures.compliant == 1
    workbook = load_workbook(io.BytesIO(client.get("/dashboard/compliance.xlsx").data))
    sources = [r[9] for r in workbook["Completions"].iter_rows(min_row=2, values_only=True)]
    assert "course" in sources


def test_marking_absent_afterwards_revokes_the_completion(people, course):
    session = make_session(course, starts_in=timedelta(days=1))
    booking = service.book(session, people.user())
    session.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    service.take_register(session, {booking.id: BookingStatus.ATTENDED})
    service.take_register(session, {booking.id: BookingStatus.ABSENT})
    completion = db.session.scalar(select(Completion))
    assert completion.revoked_at is not None
    service.take_register(session, {booking.id: BookingStatus.ATTENDED})
    assert db.session.scalar(select(func.count(Completion.id))) == 1 and completion.revoked_at is None


def test_the_register_cannot_be_taken_before_the_start(people, course):
    session = make_session(course)
    booking = service.book(session, people.user())
    with pytest.raises(service.BookingError, match="once the session has started"):
        service.take_register(session, {booking.id: BookingStatus.ATTENDED})


def test_the_sign_in_sheet_is_ready_to_print(client, people, course, runner, tmp_path):
    session = make_session(course)
    service.book(session, people.user("pat@example.org", name="=cmd|' /C calc'!A0"))
    service.book(session, people.user("sam@example.org", name="Sam Reid"))
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    response = client.get(f"/courses/manage/sessions/{session.id}/sign-in-sheet.xlsx")
    ws = load_workbook(io.BytesIO(response.data))["Sign-in sheet"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    assert rows[1][0] == "Child protection conference training"
    assert rows[6] == ("No.", "Name", "Agency", "Job title", "Signature")
    assert {"Sam Reid", "'=cmd|' /C calc'!A0"} <= {r[1] for r in rows[7:]}
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$7:$7"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    # Two booked, a labelled row, then ten blank numbered rows for walk-ins, tall enough to sign.
    assert rows[9][1].startswith("Not booked") and [r[0] for r in rows[10:20]] == list(range(3, 13))
    assert all(r[1] is None for r in rows[10:20]) and ws.row_dimensions[20].height >= 30
    assert ws.print_area.endswith("$A$1:$E$20")
    out = tmp_path / "sheet.xlsx"
    result = runner.invoke(args=["export", "attendance", "--session", str(session.id), "--out", str(out)])
    assert result.exit_code == 0 and "2 people" in result.output


def test_non_attendance_lists_absences_for_the_date_range(client, people, course):
    session = make_session(course, starts_in=timedelta(days=1))
    booking = service.book(session, people.user("pat@example.org", name="Pat Absent"))
    session.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    service.take_register(session, {booking.id: BookingStatus.ABSENT})
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    # From the session's day (yesterday, in the hour after midnight) to today.
    start, today = local(session.starts_at).date(), utcnow().date()
    response = client.get(f"/courses/non-attendance?start={start.day}&start={start.month}&start={start.year}"
                          f"&end={today.day}&end={today.month}&end={today.year}")
    rows = list(load_workbook(io.BytesIO(response.data))["Non-attendance"].iter_rows(min_row=4, values_only=True))
    assert rows and rows[0][1] == "Pat Absent" and rows[0][7] == "Did not attend"


def test_the_calendar_offers_no_book_button_for_a_session_you_have_booked_or_wait_for(client, people, course):
    booked, waiting, open_ = make_session(course, capacity=5), make_session(course, capacity=1), make_session(course)
    someone = people.user("other@example.org")
    pat = people.user()
    service.book(booked, pat)
    service.book(waiting, someone)
    service.book(waiting, pat)
    sign_in(client, pat)
    page = client.get("/courses/").get_data(as_text=True)
    assert f'action="/courses/sessions/{open_.id}/book"' in page
    assert f'action="/courses/sessions/{booked.id}/book"' not in page
    assert f'action="/courses/sessions/{waiting.id}/book"' not in page
    service.cancel(db.session.scalar(select(Booking).where(Booking.session_id == booked.id, Booking.user_id == pat.id)))
    db.session.commit()
    page = client.get("/courses/").get_data(as_text=True)
    assert f'action="/courses/sessions/{booked.id}/book"' in page  # a cancelled place can be booked again
