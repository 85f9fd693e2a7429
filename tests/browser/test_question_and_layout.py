"""The learner's question and feedback pages and the layout every page shares, in a real
browser: a wrong answer shows the right one and tags right and wrong in words, the progress
bar shows, and the service navigation is one row at 1280 px for every role."""
import re

import pytest

from tests.browser.axe import Variant
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import Plan, answer_questions, sign_in, start_module

pytestmark = pytest.mark.browser

SLUG = "police-protection"
PHONE_375 = Variant(375, 740)

# The service name and every item of the navigation: text, top, left and width.
NAVIGATION_ROWS = """() => [...document.querySelectorAll(
    '.govuk-service-navigation__service-name, .govuk-service-navigation__item')]
  .map(el => { const box = el.getBoundingClientRect();
               return [el.textContent.trim(), Math.round(box.top), Math.round(box.left), Math.round(box.width)]; })"""


@pytest.mark.parametrize("variant", [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE_375, id="375px"),
                                     pytest.param(PHONE, id="320px")])
def test_a_wrong_answer_shows_the_right_one_and_progress_shows(visit, variant):
    tab = visit(variant)
    sign_in(tab, tab.site.new_account(), scan_as=None)
    attempt_id = start_module(tab, SLUG)

    bar = tab.page.locator("progress.app-progress__bar")
    assert bar.is_visible() and bar.bounding_box()["width"] > 100
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("0", "8")
    assert tab.page.locator("#progress").inner_text() == "Question 1 of 8"
    assert "Your answers are saved as you go" in tab.page.locator("#progress-answered").inner_text()
    # The bar's accessible name is the sentence that says the same in words.
    assert tab.page.get_by_role("progressbar", name=re.compile("^0 of 8 answered")).count() == 1

    answer_questions(tab, SLUG, attempt_id, Plan(wrong=1, branch=False, stop_after=1))
    question = tab.site.content(SLUG).question(tab.site.attempt(attempt_id)[0][1])
    right = [question.option(oid) for oid in question.correct_ids()]
    assert tab.heading() == "Not quite"
    wrong_box = tab.page.locator(".app-answer--wrong")
    assert wrong_box.count() == 1 and wrong_box.locator(".govuk-tag").inner_text().strip() == "Wrong"
    right_boxes = tab.page.locator(".app-answer--right")
    assert right_boxes.count() == len(right)
    for option, box in zip(right, right_boxes.all(), strict=True):
        assert box.locator(".govuk-tag").inner_text().strip() == "Right"
        assert option.text in box.inner_text() and option.feedback in box.inner_text()
    # Right and wrong differ in colour too: the borders are green and red, not the same.
    colours = {tab.page.locator(sel).first.evaluate("el => getComputedStyle(el).borderLeftColor")
               for sel in (".app-answer--wrong", ".app-answer--right")}
    assert len(colours) == 2
    assert tab.page.locator("progress.app-progress__bar").get_attribute("value") == "1"

    tab.follow("Next question")
    answer_questions(tab, SLUG, attempt_id, Plan(wrong=0, branch=False, stop_after=1))
    assert tab.heading() == "Right"
    assert tab.page.locator(".app-answer--wrong").count() == 0
    assert {t.strip() for t in tab.page.locator(".app-answer .govuk-tag").all_inner_texts()} == {"Right"}


@pytest.mark.parametrize("email", ["practitioner@example.org", "lead@example.org", "coordinator@example.org",
                                   "admin@example.org"])
def test_the_navigation_is_one_row_at_1280_px(visit, email):
    tab = visit(DESKTOP)
    sign_in(tab, email, scan_as=None)
    boxes = tab.page.evaluate(NAVIGATION_ROWS)
    tops = {top for _text, top, _left, _width in boxes}
    assert max(tops) - min(tops) <= 4, f"the navigation wraps: {boxes}"
    role = email.split("@")[0]
    tab.scan("my-learning", f"navigation-{role}")
    if role in ("coordinator", "admin"):
        tab.follow("Manage")
        assert tab.heading() == "Manage the service"
        tab.scan("manage", role)
        narrow = visit(PHONE)
        sign_in(narrow, email, scan_as=None)
        narrow.go("/manage")
        narrow.scan("manage", role)
