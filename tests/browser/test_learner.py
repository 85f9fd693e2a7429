"""A practitioner's journeys in a real browser, at desktop width and at 320 px, by mouse,
by keyboard only and with JavaScript off. Every page on the way is scanned with axe."""
from dataclasses import replace

import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import Plan, answer_questions, finish_module, sign_in, sign_out, start_module, take_module

pytestmark = pytest.mark.browser

SLUG = "police-protection"


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_sign_in_with_a_mistake_then_sign_out(visit, variant):
    tab = visit(variant)
    tab.go("/my-learning")
    assert "/sign-in" in tab.page.url and "Sign in to continue" in tab.text()
    tab.scan("sign-in", "sign-in-to-continue")

    tab.fill("Email address", "practitioner@example.org")
    tab.fill("Password", "not-the-password")
    tab.press("Sign in")
    assert tab.title.startswith("Error: Sign in")
    summary = tab.page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    tab.scan("sign-in", "error")

    # The demo practitioner's record is empty: the seed gives records to other staff only.
    sign_in(tab, "practitioner@example.org", scan_as=None)
    assert "/my-learning" in tab.page.url
    assert "You have not started any modules yet" in tab.text()
    tab.scan("my-learning", "empty")
    sign_out(tab)
    tab.scan("sign-in", "signed-out")


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_pass_a_module_through_a_consequence(visit, variant):
    tab = visit(variant)
    sign_in(tab, tab.site.new_account())
    tab.scan("my-learning", "empty")
    seen = take_module(tab, SLUG, Plan(branch=True, show_error=True))
    assert seen["consequence"] is not None, "the decision did not lead to its consequence stage"
    assert seen["passed"]

    tab.follow("Back to my learning")
    row = tab.page.get_by_role("row").filter(has_text=tab.site.content(SLUG).title).first
    assert "In date" in row.inner_text()
    tab.scan("my-learning", "completed")


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_fail_a_module_after_resuming_it(visit, variant):
    tab = visit(variant)
    sign_in(tab, tab.site.new_account(), scan_as=None)
    attempt_id = start_module(tab, SLUG)
    answer_questions(tab, SLUG, attempt_id, Plan(wrong=3, branch=False, stop_after=2))

    # Leave mid-way; My learning shows it in progress and the module page offers to continue.
    tab.go("/my-learning")
    assert "In progress" in tab.text()
    tab.scan("my-learning", "in-progress")
    again = start_module(tab, SLUG, state="in-progress")
    assert again == attempt_id and tab.page.url.endswith("/questions/3")
    seen = answer_questions(tab, SLUG, attempt_id, Plan(wrong=3, branch=False))
    assert seen["wrong"] == 1  # questions 1 and 2 were answered wrongly before leaving
    finish_module(tab, SLUG, passed=False)
    tab.follow("Your result")
    assert "You did not pass" in tab.text()
    assert tab.page.get_by_role("button", name="Try again").is_visible()


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_keyboard_only(visit, variant):
    tab = visit(replace(variant, keyboard=True))
    tab.go("/sign-in")
    # The first Tab reaches GOV.UK's skip link, which moves focus to the main content.
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("document.activeElement.id") == "main-content"
    sign_in(tab, tab.site.new_account())
    seen = take_module(tab, SLUG, Plan(branch=True, show_error=True))
    assert seen["consequence"] is not None and seen["passed"]
    tab.follow("Back to my learning")
    sign_out(tab)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_without_javascript(visit, variant):
    tab = visit(replace(variant, javascript=False))
    sign_in(tab, tab.site.new_account())
    tab.scan("my-learning", "empty")
    seen = take_module(tab, SLUG, Plan(branch=True, show_error=True))
    assert seen["consequence"] is not None and seen["passed"]
    tab.follow("Back to my learning")
    tab.scan("my-learning", "completed")
    sign_out(tab)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_error_pages(visit, variant):
    tab = visit(variant)
    tab.go("/no-such-page", status=404)
    assert tab.heading() == "Page not found"
    tab.scan("not-found", "signed-out")

    sign_in(tab, tab.site.new_account(), scan_as=None)
    tab.go("/people/", status=403)
    assert tab.heading() == "You do not have permission to see this page"
    tab.scan("forbidden")
    tab.go("/modules/no-such-module", status=404)
    tab.scan("not-found")
    tab.follow("Go to my learning")
    assert tab.heading() == "My learning"
