"""Learning into practice in a real browser: confidence ratings before and after a module, a
follow-up answer from My learning, and the impact page for a coordinator and a lead. Every
page on the way is scanned with axe."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import Plan, answer_questions, finish_module, sign_in, sign_out, start_module

pytestmark = pytest.mark.browser

SLUG = "police-protection"
RATE = "rate_rec_police_protection"
EXAMPLE = "I checked that the designated officer was told before the baby left the ward."


def _ask_follow_up(site, email: str) -> None:
    """Three months pass: the completion is dated back and send-follow-ups runs."""
    from learning.impact.follow_up import send_follow_ups
    from learning.models import Completion, User, utcnow

    with site.db() as session:
        user = session.scalar(select(User).where(User.email == email))
        completion = session.scalar(select(Completion).where(Completion.user_id == user.id))
        completion.completed_at = utcnow() - timedelta(days=95)
        session.commit()
        assert send_follow_ups() >= 1  # the demo staff have completions due too


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_rate_confidence_take_a_module_and_answer_the_follow_up(visit, variant):
    tab = visit(variant)
    email = tab.site.new_account()
    sign_in(tab, email, scan_as=None)
    attempt_id = start_module(tab, SLUG, ratings={RATE: "2"})
    seen = answer_questions(tab, SLUG, attempt_id, Plan(branch=False))
    finish_module(tab, SLUG, passed=seen["wrong"] == 0)
    tab.go(f"/attempts/{attempt_id}/result")
    tab.choose("4", name=RATE)
    tab.press("Save your ratings")
    assert "Your confidence ratings have been saved" in tab.text()
    assert "How confident are you now?" not in tab.text()
    tab.scan("result", "rated")

    _ask_follow_up(tab.site, email)
    assert len(tab.site.outbox_links(email, "/follow-ups/")) == 1
    tab.go("/my-learning")
    tab.scan("my-learning", "follow-up-due")
    tab.follow(f"Have you used {tab.site.content(SLUG).title} in your practice?")
    assert tab.heading() == "Have you used this learning in your practice?"
    tab.scan("follow-up")
    tab.press("Send your answer")
    assert "Select yes, no or not yet" in tab.page.locator(".govuk-error-summary").inner_text()
    tab.scan("follow-up", "error")
    tab.choose("yes", name="used")
    tab.fill("Give an example", EXAMPLE)
    tab.press("Send your answer")
    assert "Your answer has been saved" in tab.text()
    assert "Tell us how your learning went" not in tab.text()
    sign_out(tab)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_the_impact_page_for_a_coordinator_and_a_lead(visit, variant):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.go("/impact/")
    assert tab.heading() == "Learning into practice"
    chart = tab.page.locator("svg.app-impact-chart")
    assert chart.count() == 1
    assert chart.locator("title").text_content().startswith("Mean confidence out of 5 before and after")
    assert "Confidence before to after" in tab.text() and "fewer than 5" in tab.text()
    assert "Examples people gave of using it" in tab.text()
    tab.scan("impact", "coordinator")
    tab.page.locator(".govuk-details__summary").click()
    tab.page.locator("#start-day").fill("1")
    tab.page.locator("#start-month").fill("1")
    tab.page.locator("#start-year").fill("2090")
    tab.press("Show figures")
    assert "There are no figures yet for this period." in tab.text()
    tab.scan("impact", "empty-period")
    sign_out(tab)
    sign_in(tab, "lead@example.org", scan_as=None)
    tab.go("/impact/")
    assert "for your agency" in tab.text() and "Northbrook Hospitals" not in tab.text()
    tab.scan("impact", "lead")
