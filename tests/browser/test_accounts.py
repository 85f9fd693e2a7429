"""Accounts in a real browser: a forgotten password from the sign-in page to signing in
again (the link read from the outbox, as the person's mail program would show it), a
coordinator setting up two-factor sign-in and then signing in with it, the account pages,
and an admin granting a role and resetting a second factor. Every page is scanned with axe."""
import re
import time

import pyotp
import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import DEMO_PASSWORD, sign_in, sign_out

pytestmark = pytest.mark.browser

NEW_PASSWORD = "marmalade kettle lighthouse"


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_forgotten_password(visit, variant):
    tab = visit(variant)
    email = tab.site.new_account()
    tab.go("/sign-in")
    tab.follow("Forgotten your password?")
    assert tab.heading() == "Forgotten your password"
    tab.scan("forgotten-password")

    tab.press("Send me a link")
    assert tab.title.startswith("Error: ")
    assert "Enter your email address" in tab.page.locator(".govuk-error-summary").inner_text()
    tab.scan("forgotten-password", "error")

    tab.fill("Email address", email)
    tab.press("Send me a link")
    assert tab.heading() == "Check your email"
    tab.scan("forgotten-password-sent")

    [link] = tab.site.outbox_links(email, "/password/reset/")
    tab.page.goto(link)
    assert tab.heading() == "Choose a new password"
    tab.scan("reset-password")
    tab.fill("New password", "short")
    tab.fill("Confirm new password", "short")
    tab.press("Set password")
    assert "Password must be 12 characters or more" in tab.page.locator(".govuk-error-summary").inner_text()
    tab.scan("reset-password", "error")
    tab.fill("New password", NEW_PASSWORD)
    tab.fill("Confirm new password", NEW_PASSWORD)
    tab.press("Set password")
    assert tab.heading() == "Sign in"
    assert "Your password is changed" in tab.page.locator(".govuk-notification-banner").inner_text()
    sign_in(tab, email, NEW_PASSWORD, scan_as=None)

    # The link worked once.
    response = tab.page.goto(link)
    assert response.status == 410
    assert tab.heading() == "This link has expired or has already been used"
    tab.scan("reset-link-problem")
    tab.follow("Ask for a new link")
    assert tab.heading() == "Forgotten your password"


def _code_after(secret: str, used_at: float) -> str:
    """A code the app shows for a time-step after the one used at `used_at`: the next
    step's code is accepted a step early, so no test waits for the clock."""
    return pyotp.TOTP(secret).at(max(time.time(), used_at) + 30)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_a_coordinator_sets_up_two_factor_sign_in_and_signs_in_with_it(visit, variant):
    tab = visit(variant)
    email = tab.site.new_account("coordinator")
    tab.go("/sign-in")
    tab.fill("Email address", email)
    tab.fill("Password", DEMO_PASSWORD)
    tab.press("Sign in")
    # A coordinator's role needs two-factor sign-in: set it up before anything else.
    assert tab.heading() == "Set up two-factor sign-in"
    assert tab.page.locator(".app-qr-code svg").is_visible()
    tab.scan("two-factor-set-up")
    tab.press("Turn on two-factor sign-in")
    assert "Enter the 6-digit code" in tab.page.locator(".govuk-error-summary").inner_text()
    tab.scan("two-factor-set-up", "error")

    secret = tab.page.locator("#two-factor-secret").inner_text().replace(" ", "")
    set_up_at = time.time()
    tab.fill("Code from the app", pyotp.TOTP(secret).at(set_up_at))
    tab.press("Turn on two-factor sign-in")
    assert tab.heading() == "Your recovery codes"
    assert tab.page.locator("#recovery-codes li").count() == 10
    tab.scan("recovery-codes")
    tab.follow("Continue to your account")
    assert tab.heading() == "Your account"
    tab.scan("account")
    tab.follow("Change two-factor sign-in", exact=False)
    assert tab.heading() == "Two-factor sign-in"
    tab.scan("two-factor-manage")
    sign_out(tab)

    tab.fill("Email address", email)
    tab.fill("Password", DEMO_PASSWORD)
    tab.press("Sign in")
    assert tab.heading() == "Enter your security code"
    tab.scan("sign-in-code")
    tab.fill("Security code", "000000" if _code_after(secret, set_up_at) != "000000" else "111111")
    tab.press("Continue")
    assert tab.title.startswith("Error: ")
    tab.scan("sign-in-code", "error")
    tab.fill("Security code", _code_after(secret, set_up_at))
    tab.press("Continue")
    assert tab.heading() == "My learning"
    sign_out(tab)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_change_your_password(visit, variant):
    tab = visit(variant)
    email = tab.site.new_account()
    sign_in(tab, email, scan_as=None)
    tab.open_menu_if_collapsed()
    tab.follow("Your account")
    assert tab.heading() == "Your account"
    tab.follow("Change password", exact=False)
    assert tab.heading() == "Change your password"
    tab.scan("change-password")
    tab.fill("Current password", "not my password")
    tab.fill("New password", NEW_PASSWORD)
    tab.fill("Confirm new password", NEW_PASSWORD)
    tab.press("Change password")
    assert "Your current password is not right" in tab.page.locator(".govuk-error-summary").inner_text()
    tab.scan("change-password", "error")
    tab.fill("Current password", DEMO_PASSWORD)
    tab.fill("New password", NEW_PASSWORD)
    tab.fill("Confirm new password", NEW_PASSWORD)
    tab.press("Change password")
    assert tab.heading() == "Your account"
    assert "Your password is changed" in tab.page.locator(".govuk-notification-banner").inner_text()
    tab.press("Sign out everywhere")
    assert tab.heading() == "Sign in"
    sign_in(tab, email, NEW_PASSWORD, scan_as=None)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_an_admin_grants_a_role_and_resets_a_second_factor(visit, variant):
    from sqlalchemy import select

    from learning.models import User

    site_tab = visit(variant)
    email = site_tab.site.new_account()
    with site_tab.site.db() as session:
        person = session.scalar(select(User).where(User.email == email))
        person.totp_secret = pyotp.random_base32()
        session.commit()
        person_id = person.id
    tab = site_tab
    sign_in(tab, "admin@example.org", scan_as=None)
    tab.go(f"/people/{person_id}")
    tab.follow("Change role", exact=False)
    tab.choose("coordinator", name="role")
    tab.press("Change role")
    assert tab.heading().startswith("Are you sure you want to make Browser Practitioner")
    tab.scan("role-confirm")
    tab.press("Yes, make them partnership training coordinator")
    assert "is now: Partnership training coordinator" in tab.page.locator(".govuk-notification-banner").inner_text()

    tab.follow("Reset two-factor sign-in", exact=False)
    assert tab.heading() == "Reset Browser Practitioner's two-factor sign-in"
    tab.scan("two-factor-reset")
    tab.press("Reset two-factor sign-in")
    assert "two-factor sign-in is reset" in tab.page.locator(".govuk-notification-banner").inner_text()
    assert re.search(r"Two-factor sign-in\s+Off", tab.page.locator("main").inner_text())
    sign_out(tab)
