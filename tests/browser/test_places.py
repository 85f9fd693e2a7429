"""The same count of places wherever a session appears, in a real browser at 1280, 375 and
320 px: for every session of the demo's course, the course page, the session's manage page
and the session's own page agree (the past session's register marked four attended, one
did not attend and one cancelled late: six places taken, not none). Every page is scanned."""
import re

import pytest

from tests.browser.axe import Variant
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import sign_in, sign_out

pytestmark = pytest.mark.browser

VARIANTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(Variant(375, 812), id="375px"),
            pytest.param(PHONE, id="320px")]
COURSE = "Child protection conference training"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_page_gives_a_session_the_same_places(visit, variant):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.go("/courses/manage")
    tab.follow(COURSE)
    assert tab.heading() == COURSE
    tab.scan("course", "places")
    course_url = tab.page.url
    rows = tab.page.locator("table tbody tr")
    sessions = []
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td, th").all_inner_texts()
        taken, capacity = map(int, re.fullmatch(r"(\d+) of (\d+)", cells[2].strip()).groups())
        sessions.append((rows.nth(i).locator("a").first.get_attribute("href"), taken, capacity))
    assert any(taken for _, taken, _ in sessions)
    for number, (href, taken, capacity) in enumerate(sessions):
        tab.go(href)
        assert f"{taken} of {capacity} places taken" in tab.text(), href
        if number == 0:
            tab.scan("manage-session", "places")
        session_id = href.rstrip("/").split("/")[-1]
        tab.go(f"/courses/sessions/{session_id}")
        assert f"{capacity} in all; {max(capacity - taken, 0)} left" in tab.text(), session_id
        if number == 0:
            tab.scan("session", "places")
    tab.go(course_url.removeprefix(tab.site.url))
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= variant.width
    sign_out(tab)
