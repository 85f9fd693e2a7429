"""Running courses: changes and cancellations, bookings on someone's behalf, the wait list
by hand, walk-ins, and the emails with calendar invites that go with each."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from learning.compliance.reminders import send_reminders
from learning.courses import bookings as service
from learning.courses import notices
from learning.courses.times import from_local, local
from learning.extensions import db
from learning.models import Booking, Completion, Course, CourseSession, Role, SessionEmail, utcnow
from tests.conftest import module_row, sign_in

SLUG = "escalation"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def course(ctx):
    return service.create_course("Child protection conference training", "A day course", 24, [module_row(SLUG)])


@pytest.fixture
def coordinator(client, people):
    cora = people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership")
    sign_in(client, cora)
    return cora


def make_session(course, capacity=2, starts=None, online=False, venue="Room 1, Civic Centre"):
    starts = starts or from_local(datetime(utcnow().year + 1, 7, 14, 9, 30))  # summer: London is UTC+1
    return service.create_session(course, starts, starts + timedelta(hours=3), venue, online, capacity, "Ann Trainer")


def invites(message) -> list:
    """The VEVENTs of every calendar attached to `message`, with the calendar's METHOD."""
    found = []
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            calendar = Calendar.from_ical(part.get_content())
            found += [(str(calendar["METHOD"]), event) for event in calendar.walk("VEVENT")]
    return found


def only_invite(message):
    [(method, event)] = invites(message)
    return method, event


def test_booking_emails_a_confirmation_with_a_calendar_invite_in_utc(client, people, course, mailbox):
    session = make_session(course)
    pat = people.user("pat@example.org")
    sign_in(client, pat)
    client.post(f"/courses/sessions/{session.id}/book")
    [message] = mailbox.messages("pat@example.org")
    assert message["Subject"] == "Your place on a safeguarding course is booked"
    text = mailbox.text(message)
    assert "Child protection conference training" in text and "Venue: Room 1, Civic Centre" in text
    method, event = only_invite(message)
    assert method == "REQUEST"
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    assert start == session.starts_at.replace(tzinfo=UTC) and start.astimezone(LONDON).hour == 9 and start.hour == 8
    assert str(event["UID"]).startswith(f"course-session-{session.id}@") and int(event["SEQUENCE"]) == 1
    assert str(event["ATTENDEE"]) == "mailto:pat@example.org"
    assert str(event["LOCATION"]) == "Room 1, Civic Centre"


def test_an_online_confirmation_gives_the_joining_link(people, course, mailbox):
    session = make_session(course, online=True, venue="https://meet.example.org/abc")
    notices.send_notices([notices.for_booking(service.book(session, people.user()))])
    text = mailbox.text(mailbox.messages("pat@example.org")[0])
    assert "Joining details: https://meet.example.org/abc" in text


def test_every_course_email_is_logged_and_listed_on_the_session_page(client, people, course, coordinator):
    session = make_session(course, capacity=1)
    for email in ("a@example.org", "b@example.org"):
        client.post(f"/courses/sessions/{session.id}/book-for", data={"user_id": people.user(email).id})
    logged = db.session.scalars(select(SessionEmail).order_by(SessionEmail.id)).all()
    assert [(e.user.email, e.kind) for e in logged] == [("a@example.org", "confirmed"), ("b@example.org", "waitlisted")]
    page = client.get(f"/courses/manage/sessions/{session.id}").get_data(as_text=True)
    assert "Booking confirmed" in page and "On the wait list" in page and "Emails sent" in page


def test_the_wait_list_email_has_no_invite_and_a_freed_place_is_offered_with_one(client, people, course, mailbox):
    session = make_session(course, capacity=1)
    first, second = people.user("a@example.org"), people.user("b@example.org")
    booking = service.book(session, first)
    sign_in(client, second)
    client.post(f"/courses/sessions/{session.id}/book")
    assert invites(mailbox.messages("b@example.org")[0]) == []
    client.post("/sign-out")
    sign_in(client, first)
    client.post(f"/courses/bookings/{booking.id}/cancel")
    cancelled = mailbox.messages("a@example.org")[-1]
    assert only_invite(cancelled)[0] == "CANCEL"
    offered = mailbox.messages("b@example.org")[-1]
    assert offered["Subject"] == "You have a place on a safeguarding course"
    assert only_invite(offered)[0] == "REQUEST"


def _edit(client, session, version, **changes):
    day = changes.pop("day", local(session.starts_at).date())
    data = {"day": [day.day, day.month, day.year], "starts": f"{local(session.starts_at):%H:%M}",
            "ends": f"{local(session.ends_at):%H:%M}", "venue": session.venue, "capacity": session.capacity,
            "trainer": session.trainer, "version": version, **changes}
    return client.post(f"/courses/manage/sessions/{session.id}/edit", data=data)


def test_changing_the_time_emails_everyone_an_updated_invite_with_the_same_uid(client, people, course, coordinator, mailbox):
    session = make_session(course, capacity=1)
    service.book(session, people.user("a@example.org"))
    service.book(session, people.user("b@example.org"))
    first_uid = str(Calendar.from_ical(notices.invite(session, people.user("c@example.org"))).walk("VEVENT")[0]["UID"])
    response = _edit(client, session, session.version, starts="13:00", ends="16:00")
    assert response.status_code == 302
    db.session.expire_all()
    session = db.session.get(CourseSession, session.id)
    assert local(session.starts_at).hour == 13 and session.starts_at.hour == 12 and session.version == 2
    [booked] = mailbox.messages("a@example.org")
    assert booked["Subject"] == "A safeguarding course you are booked on has changed"
    method, event = only_invite(booked)
    assert method == "REQUEST" and str(event["UID"]) == first_uid and int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART").hour == 12  # 13:00 in London in July
    [waiting] = mailbox.messages("b@example.org")
    assert "still on the wait list" in mailbox.text(waiting) and invites(waiting) == []


def test_changing_only_the_trainer_emails_nobody(client, people, course, coordinator, mailbox):
    session = make_session(course)
    service.book(session, people.user("a@example.org"))
    assert _edit(client, session, session.version, trainer="Ben Trainer").status_code == 302
    assert mailbox.messages() == []


def test_two_coordinators_editing_at_once_cannot_lose_a_change(client, people, course, coordinator):
    session = make_session(course)
    seen = session.version
    assert _edit(client, session, seen, venue="Room 2").status_code == 302
    page = _edit(client, session, seen, venue="Room 3")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "This session was changed by someone else" in text
    assert 'value="Room 2"' in text  # the form shows the latest details
    db.session.expire_all()
    assert db.session.get(CourseSession, session.id).venue == "Room 2"


def test_places_cannot_go_below_the_number_booked(client, people, course, coordinator):
    session = make_session(course, capacity=3)
    for email in ("a@example.org", "b@example.org"):
        service.book(session, people.user(email))
    text = _edit(client, session, session.version, capacity=1).get_data(as_text=True)
    assert "2 people are booked, so the session needs at least 2 places" in text
    db.session.expire_all()
    assert db.session.get(CourseSession, session.id).capacity == 3


def test_fewer_places_keeps_every_seat_within_the_places(people, course):
    session = make_session(course, capacity=4)
    bookings = [service.book(session, people.user(f"{n}@example.org")) for n in "abcd"]
    service.cancel(bookings[0])
    service.cancel(bookings[1])
    service.update_session(session, session.version, session.starts_at, session.ends_at, session.venue, False, 2, "")
    seats = sorted(db.session.scalars(select(Booking.seat).where(Booking.seat.is_not(None))))
    assert seats == [1, 2]


def test_more_places_go_to_the_people_waiting(people, course):
    session = make_session(course, capacity=1)
    service.book(session, people.user("a@example.org"))
    service.book(session, people.user("b@example.org"))
    changed, promoted = service.update_session(session, session.version, session.starts_at, session.ends_at,
                                               session.venue, False, 2, "")
    assert not changed and [b.user.email for b in promoted] == ["b@example.org"] and promoted[0].seat == 2


def test_cancelling_a_session_ends_every_place_and_sends_a_calendar_cancellation(client, people, course, coordinator, mailbox):
    session = make_session(course, capacity=1)
    service.book(session, people.user("a@example.org"))
    service.book(session, people.user("b@example.org"))
    assert "Enter why the session is cancelled" in client.post(
        f"/courses/manage/sessions/{session.id}/cancel", data={}).get_data(as_text=True)
    client.post(f"/courses/manage/sessions/{session.id}/cancel", data={"reason": "The trainer is ill"})
    db.session.expire_all()
    session = db.session.get(CourseSession, session.id)
    assert session.cancelled_at is not None and session.cancel_reason == "The trainer is ill"
    assert {b.status for b in session.bookings} == {"cancelled"}
    method, event = only_invite(mailbox.messages("a@example.org")[0])
    assert method == "CANCEL" and str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert "Reason: The trainer is ill" in mailbox.text(mailbox.messages("b@example.org")[0])
    assert "was cancelled" in client.get(f"/courses/manage/sessions/{session.id}").get_data(as_text=True)
    assert "Child protection" not in client.get("/courses/").get_data(as_text=True)
    with pytest.raises(service.BookingError, match="cancelled"):
        service.book(session, people.user("c@example.org"))


def test_a_course_is_cancelled_only_when_it_has_no_sessions_to_come(client, people, course, coordinator):
    session = make_session(course)
    client.post(f"/courses/manage/{course.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Course, course.id).active
    service.cancel_session(db.session.get(CourseSession, session.id), "No trainer")
    client.post(f"/courses/manage/{course.id}/cancel")
    db.session.expire_all()
    assert not db.session.get(Course, course.id).active


def test_a_lead_books_their_own_staff_but_not_another_agencys(client, people, course, mailbox):
    session = make_session(course)
    mine = people.user("pat@example.org", agency="Home Police")
    theirs = people.user("tom@example.org", agency="Other Health")
    sign_in(client, people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Home Police"))
    found = client.get(f"/courses/sessions/{session.id}/book-for?q=example").get_data(as_text=True)
    assert "pat@example.org" in found and "tom@example.org" not in found
    assert client.post(f"/courses/sessions/{session.id}/book-for", data={"user_id": theirs.id}).status_code == 404
    client.post(f"/courses/sessions/{session.id}/book-for", data={"user_id": mine.id})
    assert [b.user_id for b in db.session.scalars(select(Booking))] == [mine.id]
    assert only_invite(mailbox.messages("pat@example.org")[0])[0] == "REQUEST"


def test_a_past_session_cannot_be_booked_on_anyones_behalf(client, people, course, coordinator):
    session = make_session(course, starts=utcnow() - timedelta(hours=1))
    client.post(f"/courses/sessions/{session.id}/book-for", data={"user_id": people.user().id})
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_a_coordinator_moves_someone_from_the_wait_list_when_a_place_is_free(client, people, course, coordinator, mailbox):
    session = make_session(course, capacity=1)
    service.book(session, people.user("a@example.org"))
    waiting = [service.book(session, people.user(f"{n}@example.org")) for n in "bc"]
    client.post(f"/courses/manage/bookings/{waiting[1].id}/move")
    assert "Every place is taken" in client.get(f"/courses/manage/sessions/{session.id}").get_data(as_text=True)
    session.capacity = 2  # a place freed without promoting anyone (say, by a change made elsewhere)
    db.session.commit()
    client.post(f"/courses/manage/bookings/{waiting[1].id}/move")
    db.session.expire_all()
    assert db.session.get(Booking, waiting[1].id).status == "booked"
    assert db.session.get(Booking, waiting[0].id).status == "waitlisted"
    assert mailbox.messages("c@example.org")[-1]["Subject"] == "You have a place on a safeguarding course"


def test_removing_a_booking_gives_the_place_to_the_first_person_waiting(client, people, course, coordinator, mailbox):
    session = make_session(course, capacity=1)
    booked = service.book(session, people.user("a@example.org"))
    service.book(session, people.user("b@example.org"))
    client.post(f"/courses/manage/bookings/{booked.id}/remove")
    db.session.expire_all()
    assert db.session.get(Booking, booked.id).status == "cancelled"
    assert only_invite(mailbox.messages("a@example.org")[-1])[0] == "CANCEL"
    assert only_invite(mailbox.messages("b@example.org")[-1])[0] == "REQUEST"


def test_a_walk_in_is_recorded_as_attended_and_completes_the_course(client, people, course, coordinator):
    session = make_session(course, starts=utcnow() - timedelta(hours=1))
    walker = people.user("walker@example.org", name="Wendy Walker")
    found = client.get(f"/courses/manage/sessions/{session.id}/register?q=wendy").get_data(as_text=True)
    assert "walker@example.org" in found
    client.post(f"/courses/manage/sessions/{session.id}/walk-in", data={"user_id": walker.id})
    booking = db.session.scalar(select(Booking))
    assert booking.user_id == walker.id and booking.status == "attended" and booking.walk_in
    completion = db.session.scalar(select(Completion))
    assert completion.user_id == walker.id and completion.booking_id == booking.id


def test_did_not_attend_emails_the_person_and_their_lead(client, people, course, coordinator, mailbox):
    session = make_session(course, starts=utcnow() + timedelta(days=1))
    pat = people.user("pat@example.org", agency="Home Police")
    people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Home Police")
    booking = service.book(session, pat)
    session.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    client.post(f"/courses/manage/sessions/{session.id}/register", data={f"mark-{booking.id}": "absent"})
    assert mailbox.messages("pat@example.org")[0]["Subject"] == "You were marked as not attending a safeguarding course"
    assert "Pat did not attend" in mailbox.text(mailbox.messages("lee@example.org")[0])
    client.post(f"/courses/manage/sessions/{session.id}/register", data={f"mark-{booking.id}": "absent"})
    assert len(mailbox.messages("pat@example.org")) == 1  # saving the register again tells nobody twice


def test_the_reminder_goes_two_days_before_once_per_booking(people, course, mailbox):
    session = make_session(course, starts=utcnow() + timedelta(days=10))
    service.book(session, people.user("a@example.org"))
    assert send_reminders(now=session.starts_at - timedelta(days=3)).booking_reminders == 0
    assert send_reminders(now=session.starts_at - timedelta(days=1, hours=23)).booking_reminders == 1
    assert send_reminders(now=session.starts_at - timedelta(days=1)).booking_reminders == 0
    [message] = mailbox.messages("a@example.org")
    assert message["Subject"] == "Reminder: your safeguarding course is in two days"
    assert only_invite(message)[0] == "REQUEST"
    assert db.session.scalar(select(SessionEmail.kind)) == "reminder"


def test_text_from_courses_and_people_never_reaches_a_header_or_breaks_the_invite(people, course, mailbox):
    course.title = "Evil\r\nBcc: victim@example.org"
    db.session.commit()
    session = make_session(course, venue="Hall; A, B\r\nATTENDEE:mailto:x@example.org")
    person = people.user("pat@example.org", name="Pat\r\nBcc: someone@example.org")
    notices.send_notices([notices.for_booking(service.book(session, person))])
    [message] = mailbox.messages()
    assert message["Bcc"] is None and message["Subject"] == "Your place on a safeguarding course is booked"
    method, event = only_invite(message)
    # Line breaks stay inside the value (escaped as \n): no property is added.
    assert str(event["SUMMARY"]) == "Evil\nBcc: victim@example.org"
    assert str(event["LOCATION"]) == "Hall; A, B\nATTENDEE:mailto:x@example.org"
    assert str(event["ATTENDEE"]) == "mailto:pat@example.org"


def test_the_calendar_lists_upcoming_sessions_by_week_with_filters_and_book_buttons(client, people, course):
    other = service.create_course("Neglect", "", 24, [module_row(SLUG)])
    year = utcnow().year + 1
    in_person = make_session(course, starts=datetime(year, 3, 3, 9, 30))  # a Wednesday
    online = make_session(other, starts=datetime(year, 4, 7, 9, 30), online=True, venue="https://meet.example.org/x")
    make_session(course, starts=utcnow() - timedelta(days=1))  # past: not listed
    service.cancel_session(make_session(course, starts=datetime(year, 3, 4, 9, 30)), "No room")
    sign_in(client, people.user())
    page = client.get("/courses/").get_data(as_text=True)
    monday = datetime(year, 3, 3) - timedelta(days=datetime(year, 3, 3).weekday())
    assert f"Week beginning {monday:%A} {monday.day} {monday:%B %Y}" in page
    assert page.count("Child protection conference training</a>") == 1 and "Neglect</a>" in page
    assert f'action="/courses/sessions/{in_person.id}/book"' in page and "2 of 2" in page
    online_only = client.get("/courses/?mode=online").get_data(as_text=True)
    assert "Neglect</a>" in online_only and "Child protection conference training</a>" not in online_only
    march = client.get(f"/courses/?month={year}-03&course={course.id}").get_data(as_text=True)
    assert "Child protection conference training</a>" in march and "Neglect</a>" not in march
    client.post(f"/courses/sessions/{online.id}/book")
    assert "govuk-tag--green" in client.get("/courses/?mode=online").get_data(as_text=True)


def test_the_calendar_shows_twenty_sessions_a_page_in_date_order_and_keeps_the_filters(client, people, course):
    other = service.create_course("Neglect", "", 24, [module_row(SLUG)])
    first = from_local(datetime(utcnow().year + 1, 1, 4, 9, 30))
    # 25 sessions a day apart, made latest first (the calendar orders them by date, not by
    # when they were added), and one of another course between the second and the third.
    made = [make_session(course, starts=first + timedelta(days=n)) for n in reversed(range(25))][::-1]
    between = make_session(other, starts=first + timedelta(days=1, hours=2))
    sign_in(client, people.user())

    def listed(query: str) -> tuple[str, list[int]]:
        page = client.get(f"/courses/{query}").get_data(as_text=True)
        return page, [int(i) for i in re.findall(r'action="/courses/sessions/(\d+)/book"', page)]

    page, shown = listed("")
    assert shown == [s.id for s in made[:2]] + [between.id] + [s.id for s in made[2:19]]
    assert "26 sessions; showing 1 to 20, in date order." in page and 'href="/courses/?page=2"' in page
    page, shown = listed(f"?course={course.id}")
    assert shown == [s.id for s in made[:20]]
    assert f'href="/courses/?page=2&amp;course={course.id}"' in page  # the filter stays in the page links
    page, shown = listed(f"?course={course.id}&page=2")
    assert shown == [s.id for s in made[20:]] and "showing 21 to 25" in page and "Week beginning" in page
    assert listed(f"?course={course.id}&page=9")[1] == shown  # past the end: the last page
    page, shown = listed(f"?course={other.id}")
    assert shown == [between.id] and "sessions; showing" not in page and 'class="govuk-pagination' not in page
    assert "There are no sessions matching these choices" in listed("?month=not-a-month&page=3")[0]
    # Numbers and months no session could have are not found, never an error.
    for query in (f"course={2**64}", f"course=-{2**64}", f"page={2**64}", "month=9999-12", "month=0001-01", "mode=x"):
        assert client.get(f"/courses/?{query}").status_code == 200, query


def test_the_register_workbook_names_walk_ins(client, people, course, coordinator):
    import io

    from openpyxl import load_workbook

    session = make_session(course, starts=utcnow() - timedelta(hours=1))
    service.add_walk_in(session, people.user("walker@example.org", name="Wendy Walker"))
    workbook = load_workbook(io.BytesIO(client.get(f"/courses/manage/sessions/{session.id}/register.xlsx").data))
    rows = [r for r in workbook.active.iter_rows(values_only=True) if r and r[1] == "Wendy Walker"]
    assert [r[4] for r in rows] == ["Attended (walk-in)"]


def test_the_session_form_says_whether_it_adds_or_changes(client, course, coordinator):
    session = make_session(course)
    assert "<h1 class=\"govuk-heading-l\">Add a session</h1>" in client.get(
        f"/courses/manage/{course.id}/sessions/new").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Change the session</h1>" in client.get(
        f"/courses/manage/sessions/{session.id}/edit").get_data(as_text=True)


def test_booking_while_the_places_are_lowered_never_exceeds_the_places(app, people, course):
    import threading

    session = make_session(course, capacity=6)
    for n in "ab":
        service.book(session, people.user(f"{n}@example.org"))
    bookers = [people.user(f"u{i}@example.org").id for i in range(4)]
    session_id, version = session.id, session.version
    barrier = threading.Barrier(len(bookers) + 1)
    errors = []

    def run(action):
        with app.app_context():
            s = db.session.get(CourseSession, session_id)
            barrier.wait()
            try:
                action(s)
            except service.BookingError:
                pass  # "needs at least N places": the edit lost the race, and said so
            except Exception as exc:  # noqa: BLE001 - the test reports any other failure
                errors.append(exc)
            finally:
                db.session.remove()

    def lower(s):
        service.update_session(s, version, s.starts_at, s.ends_at, s.venue, False, 3, "")

    def booker(user_id):
        from learning.models import User

        return lambda s: service.book(s, db.session.get(User, user_id))

    threads = [threading.Thread(target=run, args=(lower,))]
    threads += [threading.Thread(target=run, args=(booker(uid),)) for uid in bookers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    session = db.session.get(CourseSession, session_id)
    seats = list(db.session.scalars(select(Booking.seat).where(Booking.status == "booked")))
    assert len(seats) <= session.capacity and all(1 <= seat <= session.capacity for seat in seats)
    assert len(set(seats)) == len(seats)
