"""Confidence in each learning outcome, before the first question and on the result page:
1 to 5 per outcome, skippable, stored per attempt, refused outside 1 to 5 or for an outcome
the module does not have, and given once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from learning.extensions import db
from learning.impact import confidence
from learning.impact.models import ConfidenceRating, Moment
from tests.conftest import sign_in
from tests.journey import answer_all, start

SLUG = "core-groups"  # two outcomes: rec-core-groups and rec-agency-oversight


def ratings(attempt_id: int, moment: str) -> dict[str, int]:
    db.session.expire_all()
    return {r.recommendation: r.rating for r in db.session.scalars(
        select(ConfidenceRating).where(ConfidenceRating.attempt_id == attempt_id, ConfidenceRating.moment == moment))}


@pytest.fixture
def browser(app, people):
    client = app.test_client()
    sign_in(client, people.user())
    return client


def test_starting_a_module_asks_for_confidence_in_each_outcome_first(browser):
    response = browser.post(f"/modules/{SLUG}/start")
    assert response.location.endswith("/confidence")
    page = browser.get(response.location).get_data(as_text=True)
    assert "How confident are you now?" in page
    assert "Share responsibility in a core group" in page and 'name="rate_rec_agency_oversight"' in page
    attempt_id = start(browser, SLUG)
    saved = browser.post(f"/attempts/{attempt_id}/confidence",
                         data={"rate_rec_core_groups": "2", "rate_rec_agency_oversight": "4"})
    assert saved.location.endswith(f"/attempts/{attempt_id}/questions/1")
    assert ratings(attempt_id, "before") == {"rec-core-groups": 2, "rec-agency-oversight": 4}
    # Answering twice changes nothing; the page now goes straight to the question.
    again = browser.post(f"/attempts/{attempt_id}/confidence", data={"rate_rec_core_groups": "5"})
    assert again.location.endswith("/questions/1")
    assert ratings(attempt_id, "before") == {"rec-core-groups": 2, "rec-agency-oversight": 4}
    assert browser.post(f"/modules/{SLUG}/start").location.endswith("/questions/1")


def test_skip_goes_to_the_first_question_and_stores_nothing(browser):
    attempt_id = start(browser, SLUG)
    response = browser.post(f"/attempts/{attempt_id}/confidence", data={"skip": "y", "rate_rec_core_groups": "3"})
    assert response.location.endswith("/questions/1")
    assert ratings(attempt_id, "before") == {}


@pytest.mark.parametrize("value", ["0", "6", "3.5", "high", "-1"])
def test_a_rating_outside_1_to_5_is_refused_with_a_message(browser, value):
    attempt_id = start(browser, SLUG)
    response = browser.post(f"/attempts/{attempt_id}/confidence", data={"rate_rec_core_groups": value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Select how confident you are, from 1 to 5" in page and "There is a problem" in page
    assert ratings(attempt_id, "before") == {}


def test_a_rating_for_an_outcome_the_module_does_not_have_is_ignored_by_the_form_and_refused_by_the_service(
        app, browser, people):
    attempt_id = start(browser, SLUG)
    browser.post(f"/attempts/{attempt_id}/confidence", data={"rate_rec_plo": "5", "rate_rec_core_groups": "3"})
    assert ratings(attempt_id, "before") == {"rec-core-groups": 3}
    with pytest.raises(confidence.RatingError):
        confidence.save(people.user("other@example.org").id, Moment.BEFORE, {"rec-plo": 5},
                        ["rec-core-groups"], attempt_id=attempt_id)
    with pytest.raises(confidence.RatingError):
        confidence.save(1, Moment.BEFORE, {"rec-core-groups": 6}, ["rec-core-groups"], attempt_id=attempt_id)


def test_the_result_page_asks_again_and_saves_the_after_ratings_once(browser):
    attempt_id = start(browser, SLUG)
    browser.post(f"/attempts/{attempt_id}/confidence", data={"skip": "y"})
    answer_all(browser, attempt_id)
    page = browser.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "How confident are you now?" in page and "Skip" in page
    bad = browser.post(f"/attempts/{attempt_id}/confidence/after", data={"rate_rec_core_groups": "9"})
    assert "Select how confident you are, from 1 to 5" in bad.get_data(as_text=True)
    assert ratings(attempt_id, "after") == {}
    browser.post(f"/attempts/{attempt_id}/confidence/after", data={"rate_rec_core_groups": "5"})
    browser.post(f"/attempts/{attempt_id}/confidence/after", data={"rate_rec_core_groups": "1"})
    assert ratings(attempt_id, "after") == {"rec-core-groups": 5}
    assert "How confident are you now?" not in browser.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)


def test_someone_else_cannot_rate_your_attempt(app, browser, people):
    attempt_id = start(browser, SLUG)
    other = app.test_client()
    sign_in(other, people.user("sam@example.org"))
    assert other.get(f"/attempts/{attempt_id}/confidence").status_code == 404
    assert other.post(f"/attempts/{attempt_id}/confidence", data={"rate_rec_core_groups": "3"}).status_code == 404
    assert ratings(attempt_id, "before") == {}
