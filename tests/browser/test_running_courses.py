"""A coordinator runs a course in a real browser (issue 18): creates a session, books
someone on their behalf, changes the time (the person gets an updated calendar invite),
takes the register of a past session with a walk-in, and cancels another session; then the
person's agency lead sees them on the session's page. Every page on the way is scanned with axe.

The journey uses a course of its own, so the demo course other journeys count is untouched."""
import uuid
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import navigate, sign_in, sign_out

pytestmark = pytest.mark.browser


def _course(site, title: str) -> tuple[int, int]:
    """A course with a session that started an hour ago (Pat booked) and one next month.
    Returns the two session ids."""
    from learning.courses import bookings
    from learning.models import Module, User, utcnow

    with site.db() as session:
        module = session.query(Module).order_by(Module.id).first()
        course = bookings.create_course(title, "", 24, [module])
        now = utcnow().replace(second=0, microsecond=0)
        past = bookings.create_session(course, now + timedelta(minutes=5), now + timedelta(hours=2), "Room 9", False, 5, "")
        later = bookings.create_session(course, now + timedelta(days=40), now + timedelta(days=40, hours=3),
                                        "Room 9", False, 5, "")
        bookings.book(past, session.query(User).filter_by(email="practitioner@example.org").one())
        # Booked before it started; now it has.
        past.starts_at = now - timedelta(hours=1)
        session.commit()
        return past.id, later.id


def _invites_to(site, email: str) -> list:
    folder = Path(site.app.config["OUTBOX_DIR"])
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] != email:
            continue
        for part in message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                found += Calendar.from_ical(part.get_content()).walk("VEVENT")
    return found


def _replace(tab, label: str, value: str) -> None:
    tab.page.get_by_label(label, exact=True).fill("")
    tab.fill(label, value)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_a_coordinator_runs_a_course(visit, variant):
    title = f"Running a course {uuid.uuid4().hex[:6]}"
    tab = visit(variant)
    past_id, later_id = _course(tab.site, title)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    navigate(tab, "Manage courses")
    tab.follow(title)
    tab.follow("Add a session")
    day = date.today() + timedelta(days=30)
    tab.fill("Day", str(day.day))
    tab.fill("Month", str(day.month))
    tab.fill("Year", str(day.year))
    tab.fill("Start time", "09:30")
    tab.fill("End time", "12:30")
    tab.fill("Venue or joining details", "Room 4, Northbrook Library")
    tab.fill("Places", "10")
    tab.press("Add session")
    assert tab.heading() == f"{day.day} {day.strftime('%B %Y')}, 09:30"
    session_page = tab.page.url

    tab.follow("Book someone on")
    assert tab.heading() == "Book someone on"
    tab.scan("book-for")
    tab.fill("Name or email", "practitioner@example.org")
    tab.press("Search")
    tab.scan("book-for", "found")
    tab.press("Book Pat Fielding")
    assert "Pat Fielding is on a place" in tab.page.locator(".govuk-notification-banner").inner_text()
    assert [int(e["SEQUENCE"]) for e in _invites_to(tab.site, "practitioner@example.org")
            if title in str(e["SUMMARY"])] == [1]

    tab.page.goto(session_page)
    tab.follow("Change the session")
    assert tab.heading() == "Change the session"
    tab.scan("session-edit")
    _replace(tab, "Start time", "13:00")
    _replace(tab, "End time", "16:00")
    tab.press("Save changes")
    assert tab.heading() == f"{day.day} {day.strftime('%B %Y')}, 13:00"
    assert "emailed the new details" in tab.page.locator(".govuk-notification-banner").inner_text()
    assert "Session changed" in tab.text()
    tab.scan("manage-session", "changed")
    sequences = [(str(e["UID"]), int(e["SEQUENCE"])) for e in _invites_to(tab.site, "practitioner@example.org")
                 if title in str(e["SUMMARY"])]
    assert len(sequences) == 2 and sequences[0][0] == sequences[1][0] and sequences[1][1] > sequences[0][1]

    tab.go(f"/courses/manage/sessions/{past_id}")
    tab.follow("Take the register")
    assert tab.heading() == "Take the register"
    tab.fill("Name or email", "lead@example.org")
    tab.press("Search")
    tab.scan("register", "walk-in-found")
    tab.press("Add as attended Lee Marsh")
    assert "Lee Marsh is on the register as attended" in tab.page.locator(".govuk-notification-banner").inner_text()
    names = sorted({n for n in tab.page.locator('input[type="radio"]').evaluate_all("els => els.map(e => e.name)")})
    assert len(names) == 2  # Pat, booked, and Lee, the walk-in
    for name in names:
        tab.choose("attended", name=name)
    tab.press("Save the register")
    assert "The register has been saved" in tab.page.locator(".govuk-notification-banner").inner_text()
    assert "(walk-in)" in tab.text()

    tab.go(f"/courses/manage/sessions/{later_id}")
    tab.follow("Cancel the session")
    assert tab.heading() == "Cancel the session"
    tab.scan("session-cancel")
    tab.press("Cancel the session")
    assert "Enter why the session is cancelled" in tab.text()
    tab.scan("session-cancel", "error")
    tab.fill("Why is the session cancelled?", "The room is closed for repairs")
    tab.press("Cancel the session")
    assert "The session is cancelled" in tab.page.locator(".govuk-notification-banner").inner_text()
    assert "The room is closed for repairs" in tab.text()
    tab.scan("manage-session", "cancelled")
    sign_out(tab)

    # Pat's agency lead sees their own staff on the session Pat was booked on.
    sign_in(tab, "lead@example.org", scan_as=None)
    tab.go(f"/courses/sessions/{session_page.rstrip('/').rsplit('/', 1)[-1]}")
    staff = tab.page.get_by_role("table", name="Your staff on this session").inner_text()
    assert "Pat Fielding" in staff and "Booked" in staff
    tab.scan("session", "lead-staff")
    sign_out(tab)
