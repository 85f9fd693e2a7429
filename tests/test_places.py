"""The same count of places wherever a session appears: the calendar, the session's page,
and the course and session pages coordinators manage all read courses.bookings.places_taken,
before the register (booked) and after it (attended, did not attend, cancelled late)."""
from __future__ import annotations

import re
from datetime import timedelta

from learning.courses.bookings import create_course, create_session
from learning.extensions import db
from learning.models import Booking, Role, utcnow
from tests.conftest import module_row, sign_in


def _session(people, starts, statuses: list[str]):
    course = create_course("Child protection in practice", "", 24, [module_row("police-protection")])
    session = create_session(course, starts, starts + timedelta(hours=3), "Civic Centre", False, 10, "")
    seat = 0
    for i, status in enumerate(statuses):
        person = people.user(f"p{i}@example.org", agency="Police A")
        holds = status not in ("cancelled", "waitlisted")
        seat += holds
        db.session.add(Booking(session_id=session.id, user_id=person.id, status=status, seat=seat if holds else None))
    db.session.commit()
    return course, session


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_an_upcoming_session_shows_the_same_places_everywhere(client, people):
    course, session = _session(people, utcnow() + timedelta(days=7),
                               ["booked"] * 6 + ["cancelled"])
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, agency="Police A"))
    assert "4 of 10" in _text(client.get("/courses/")), "places left in the calendar"
    assert "10 in all; 4 left" in _text(client.get(f"/courses/sessions/{session.id}"))
    assert "Civic Centre 6 of 10 0" in _text(client.get(f"/courses/manage/{course.id}"))
    assert "6 of 10 places taken." in _text(client.get(f"/courses/manage/sessions/{session.id}"))


def test_after_the_register_those_who_attended_or_missed_it_still_hold_their_places(client, people):
    course, session = _session(people, utcnow() - timedelta(days=2),
                               ["attended"] * 4 + ["absent", "cancelled_late", "cancelled"])
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, agency="Police A"))
    assert "10 in all; 4 left" in _text(client.get(f"/courses/sessions/{session.id}"))
    assert "Civic Centre 6 of 10 0" in _text(client.get(f"/courses/manage/{course.id}"))
    assert "6 of 10 places taken." in _text(client.get(f"/courses/manage/sessions/{session.id}"))


def test_a_place_given_up_late_before_the_session_goes_back_and_is_not_counted_twice(app, people):
    from learning.courses.bookings import book, cancel, places_taken

    course, session = _session(people, utcnow() + timedelta(days=1), ["booked"] * 10)
    waiting = book(session, people.user("wait@example.org", agency="Police A"))
    first = db.session.scalars(db.select(Booking).where(Booking.session_id == session.id, Booking.seat == 1)).one()
    cancel(first)
    assert first.status == "cancelled_late" and waiting.status == "booked"
    assert places_taken([session.id])[session.id] == (10, 0)
