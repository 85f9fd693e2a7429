"""A coordinator's journeys in a real browser: People, and creating an account including
the error state. Every page on the way is scanned with axe."""
import uuid

import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import navigate, sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_create_an_account(visit, variant):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.scan("my-learning", "coordinator")
    navigate(tab, "People")
    assert tab.heading() == "People"
    tab.scan("people")

    tab.follow("Create an account")
    assert tab.heading() == "Create an account"
    tab.scan("people-new")

    # Nothing filled in: the GOV.UK error summary lists every problem, each linked to its field.
    tab.press("Create account")
    assert tab.title.startswith("Error: Create an account")
    summary = tab.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    for message in ("Enter the person's name", "Enter an email address", "Select an agency", "Select a role"):
        assert message in summary.inner_text()
        assert tab.page.locator(".govuk-error-message", has_text=message).count() == 1
    tab.scan("people-new", "error")
    link = summary.get_by_role("link", name="Enter the person's name")
    link.click()
    assert tab.page.get_by_label("Full name", exact=True).evaluate("el => el === document.activeElement") \
        or not variant.javascript

    email = f"new.starter.{uuid.uuid4().hex[:6]}@example.org"
    tab.fill("Full name", "New Starter")
    tab.fill("Email address", email)
    tab.select("Agency", "Northbrook Police")
    tab.page.get_by_label("Practitioner", exact=True).check()
    tab.press("Create account")
    assert tab.heading() == "People"
    banner = tab.page.locator(".govuk-notification-banner").inner_text()
    assert "Account created for New Starter" in banner and "We emailed them an invitation" in banner
    assert len(tab.site.outbox_links(email, "/set-password/")) == 1
    tab.scan("people", "created")
    sign_out(tab)
