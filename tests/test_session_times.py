"""Session times are stored in UTC and typed and shown in the partnership's time (Europe/
London): booking closes at the start in British Summer Time and in winter alike, around both
changeovers (the last Sundays of March and October), and the calendar invite says the right
moment. (The migration that moved stored local times to UTC: tests/test_migrations.py.)"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from learning.courses import bookings as service
from learning.courses import notices
from learning.extensions import db
from learning.models import Booking, CourseSession, Role
from tests.conftest import module_row, sign_in

# (the day and time typed, in London; the same moment in UTC)
CHANGEOVERS = [
    pytest.param(datetime(2027, 3, 26, 9, 30), datetime(2027, 3, 26, 9, 30), id="Friday before the spring change: GMT"),
    pytest.param(datetime(2027, 3, 29, 9, 30), datetime(2027, 3, 29, 8, 30), id="Monday after the spring change: BST"),
    pytest.param(datetime(2027, 10, 29, 9, 30), datetime(2027, 10, 29, 8, 30), id="Friday before the autumn change: BST"),
    pytest.param(datetime(2027, 11, 1, 9, 30), datetime(2027, 11, 1, 9, 30), id="Monday after the autumn change: GMT"),
]


def _frozen(monkeypatch, moment: datetime) -> None:
    """Stop the clock at `moment` (UTC) wherever the course code reads it."""
    for module in ("learning.courses.bookings", "learning.courses.views", "learning.courses.actions"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: moment)


@pytest.mark.parametrize(("typed", "in_utc"), CHANGEOVERS)
def test_booking_closes_at_the_start_in_summer_and_winter(client, people, monkeypatch, mailbox, typed, in_utc):
    course = service.create_course("Neglect and the graded care profile", "", 24, [module_row("escalation")])
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    _frozen(monkeypatch, datetime(2027, 1, 4, 12, 0))
    response = client.post(f"/courses/manage/{course.id}/sessions/new", data={
        "day": [typed.day, typed.month, typed.year], "starts": f"{typed:%H:%M}", "ends": "12:30",
        "venue": "Room 2", "capacity": 5, "trainer": ""})
    assert response.status_code == 302
    session = db.session.scalar(select(CourseSession))
    assert session.starts_at == in_utc, "stored in UTC"
    page = client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)
    assert f"{typed:%-d %B %Y}, 09:30 to 12:30" in page, "shown in London time"
    client.post("/sign-out")

    pat, sam = people.user("pat@example.org"), people.user("sam@example.org")
    sign_in(client, pat)
    _frozen(monkeypatch, in_utc - timedelta(minutes=1))
    client.post(f"/courses/sessions/{session.id}/book")
    assert db.session.scalar(select(Booking.status).where(Booking.user_id == pat.id)) == "booked"
    client.post("/sign-out")
    sign_in(client, sam)
    _frozen(monkeypatch, in_utc + timedelta(minutes=1))  # 09:31 in London
    page = client.post(f"/courses/sessions/{session.id}/book", follow_redirects=True).get_data(as_text=True)
    assert "already started" in page
    assert db.session.scalar(select(Booking).where(Booking.user_id == sam.id)) is None

    [message] = mailbox.messages("pat@example.org")
    assert f"{typed:%A %-d %B %Y}, 09:30 to 12:30" in mailbox.text(message)
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event.decoded("DTSTART") == in_utc.replace(tzinfo=UTC)
    assert event.decoded("DTEND") == in_utc.replace(tzinfo=UTC) + timedelta(hours=3)


def test_the_edit_form_shows_and_takes_london_time(client, people):
    course = service.create_course("Neglect", "", 24, [module_row("escalation")])
    session = service.create_session(course, datetime(2027, 7, 14, 8, 30), datetime(2027, 7, 14, 11, 30), "Room 2",
                                     False, 5, "")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    form = client.get(f"/courses/manage/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="09:30"' in form and 'value="12:30"' in form
    client.post(f"/courses/manage/sessions/{session.id}/edit", data={
        "day": [14, 7, 2027], "starts": "10:00", "ends": "12:30", "venue": "Room 2", "capacity": 5, "trainer": "",
        "version": session.version})
    db.session.expire_all()
    assert db.session.get(CourseSession, session.id).starts_at == datetime(2027, 7, 14, 9, 0)


def test_the_calendar_groups_by_the_london_day(client, people):
    """23:30 UTC on the last day of August in summer is 00:30 on 1 September in London:
    the session is in September, as the coordinator typed it."""
    course = service.create_course("Neglect", "", 24, [module_row("escalation")])
    service.create_session(course, datetime(2027, 8, 31, 23, 30), datetime(2027, 9, 1, 1, 0), "Room 2", False, 5, "")
    sign_in(client, people.user())
    assert "Room 2" not in client.get("/courses/?month=2027-08").get_data(as_text=True)
    page = client.get("/courses/?month=2027-09").get_data(as_text=True)
    assert "Room 2" in page and "Wed 1 September, 00:30 to 02:00" in page


def test_the_invite_is_the_stored_utc_time(app, ctx):
    course = service.create_course("Neglect", "", 24, [])
    session = service.create_session(course, datetime(2027, 3, 29, 8, 30), datetime(2027, 3, 29, 11, 30), "Hall",
                                     False, 5, "")
    from tests.conftest import People

    event = Calendar.from_ical(notices.invite(session, People().user())).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2027, 3, 29, 8, 30, tzinfo=UTC)
