"""The courses calendar in a real browser (issue 19): a practitioner filters it by course and
pages through it, 20 sessions a page in date order, by week, with the GOV.UK pagination
keeping the filter. Each page is scanned with axe.

The journey uses a course of its own, with sessions after every other session in the demo."""
import uuid
from datetime import timedelta

import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import navigate, sign_in, sign_out

pytestmark = pytest.mark.browser

SESSIONS = 22


def _course(site, title: str) -> int:
    """A course with SESSIONS sessions a day apart, starting in a little over a year, in
    rooms numbered in date order."""
    from learning.courses import bookings
    from learning.models import Module, utcnow

    with site.db() as session:
        module = session.query(Module).order_by(Module.id).first()
        course = bookings.create_course(title, "", 24, [module])
        first = utcnow().replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(days=400)
        for n in range(SESSIONS):
            bookings.create_session(course, first + timedelta(days=n), first + timedelta(days=n, hours=3),
                                    f"Room {n + 1}", False, 5, "")
        session.commit()
        return course.id


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_a_practitioner_pages_through_the_calendar_of_one_course(visit, variant):
    title = f"Calendar course {uuid.uuid4().hex[:6]}"
    tab = visit(variant)
    course_id = _course(tab.site, title)
    sign_in(tab, "practitioner@example.org", scan_as=None)
    navigate(tab, "Courses")
    assert tab.heading() == "Face-to-face courses"
    tab.scan("courses")

    tab.select("Course", title)
    tab.press("Show sessions")
    shown = tab.text()
    assert f"{SESSIONS} sessions; showing 1 to 20, in date order." in shown
    assert "Room 20" in shown and "Room 21" not in shown
    assert tab.page.locator(".govuk-pagination").count() == 1
    tab.scan("courses", "filtered")

    tab.follow("Next page")
    assert f"course={course_id}" in tab.page.url and "page=2" in tab.page.url
    shown = tab.text()
    assert f"showing 21 to {SESSIONS}" in shown and "Room 21" in shown and "Room 20" not in shown
    assert "Week beginning" in shown
    tab.scan("courses", "page-2")
    sign_out(tab)
