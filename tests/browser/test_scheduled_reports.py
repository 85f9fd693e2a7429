"""A coordinator downloads the board pack and sets up a scheduled report from the dashboard,
including the error state, then unsubscribes it. Every page on the way is scanned with axe."""
import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_board_pack_and_a_scheduled_report(visit, variant, tmp_path):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.go("/dashboard/")
    assert "Change since the learning was launched" in tab.text()

    tab.follow("Scheduled reports")
    assert tab.heading() == "Scheduled reports"
    tab.scan("scheduled-reports", "none" if "You have no scheduled reports." in tab.text() else "some")
    tab.follow("Add a scheduled report")
    tab.scan("scheduled-report-new")
    tab.press("Subscribe")
    assert tab.title.startswith("Error: Add a scheduled report")
    summary = tab.page.locator(".govuk-error-summary").inner_text()
    assert "Select how often the workbook is sent" in summary and "Enter at least one email address" in summary
    tab.scan("scheduled-report-new", "error")

    address = f"board.{variant.width}@example.org"
    tab.page.get_by_label("Every week", exact=True).check()
    tab.fill("Email addresses", address)
    tab.press("Subscribe")
    assert tab.heading() == "Scheduled reports"
    assert "Subscribed." in tab.page.locator(".govuk-notification-banner").inner_text()
    assert address in tab.text()
    tab.scan("scheduled-reports", "subscribed")
    tab.press("Unsubscribe the every week workbook for every agency", exact=False)
    assert "Unsubscribed." in tab.page.locator(".govuk-notification-banner").inner_text()
    assert address not in tab.text()

    # Last: Chromium reports a download as an aborted request, which a later scan would flag.
    tab.go("/dashboard/")
    pack = tab.download("Download the board pack (PDF)", tmp_path)
    assert pack.suffix == ".pdf" and pack.read_bytes().startswith(b"%PDF")
    sign_out(tab)
