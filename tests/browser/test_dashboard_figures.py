"""The partnership dashboard counts people: a figure's link opens exactly that many, and a
failed module reads "Not passed" in the staff it opens. Every page is scanned with axe."""
import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_a_not_passed_figure_opens_that_many_people(visit, variant):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.go("/dashboard/")
    assert tab.heading() == "Partnership compliance"
    tab.scan("dashboard-partnership")
    figure = tab.page.locator('table a[href*="status=not_passed"][href*="agency="]').first
    shown = int(figure.inner_text().split()[0])
    assert shown > 0, "the demo has failed attempts"
    tab.page.goto(tab.site.url + figure.get_attribute("href"))
    assert tab.heading() == "Staff: not passed"
    tab.scan("dashboard-staff", "not passed")
    rows = tab.page.locator(".app-table-scroll tbody tr")
    assert rows.count() == shown
    for i in range(shown):
        assert "Not passed" in rows.nth(i).inner_text()
    sign_out(tab)
