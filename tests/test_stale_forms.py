"""A form posted after its page expired keeps what the person chose: one click carries on."""
import re
from contextlib import contextmanager
from urllib.parse import unquote

import flask_wtf.csrf
import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from learning.auth import sessions
from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.models import AttemptQuestion, AuditEvent
from tests.conftest import PASSWORD, sign_in
from tests.journey import start

SLUG = "police-protection"


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


class _TwoHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - 7200


class _OldTokens(URLSafeTimedSerializer):
    default_signer = _TwoHoursAgo


@contextmanager
def two_hours_ago(monkeypatch):
    """CSRF tokens minted inside this block are two hours old when they come back."""
    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", _OldTokens)
    yield
    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", URLSafeTimedSerializer)


def token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def checked_values(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="answer"[^>]*value="([^"]+)"[^>]*checked', html)


def question_row(attempt_id, position) -> AttemptQuestion:
    db.session.expire_all()
    return db.session.scalar(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id,
                                                           AttemptQuestion.position == position))


def make_first_question_multiple_answer(attempt_id) -> None:
    """Put a checkbox question first (the draw is random, so one may not come up)."""
    content = catalogue().modules[SLUG]
    first = question_row(attempt_id, 1)
    drawn = set(db.session.scalars(select(AttemptQuestion.question_id).where(AttemptQuestion.attempt_id == attempt_id)))
    question = next((q for q in content.questions if q.kind.multiple_answers and q.id not in drawn), None)
    if question is None:  # every checkbox question was drawn: swap one into first place
        other = next(row for row in db.session.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id))
                     if content.question(row.question_id).kind.multiple_answers)
        if other.id == first.id:
            return
        mine, theirs = (first.question_id, first.option_order), (other.question_id, other.option_order)
        other.question_id = "swap"  # (attempt, question) is unique, so free the id first
        db.session.flush()
        first.question_id, first.option_order = theirs
        db.session.flush()
        other.question_id, other.option_order = mine
        db.session.commit()
        return
    first.question_id, first.option_order = question.id, [o.id for o in question.options]
    db.session.commit()


def test_an_answer_sent_with_an_expired_token_is_kept_for_one_more_click(client, people, csrf_on, monkeypatch, app):
    sign_in_with_csrf_off(app, client, people)
    attempt_id = start_with_csrf_off(app, client)
    with two_hours_ago(monkeypatch):
        old = token(client.get(f"/attempts/{attempt_id}/questions/1").get_data(as_text=True))

    response = client.post(f"/attempts/{attempt_id}/questions/1", data={"csrf_token": old, "answer": "option-2"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This page had expired, so your answer has not been saved yet" in page
    assert checked_values(page) == ["option-2"]
    fresh = token(page)
    assert fresh != old
    assert question_row(attempt_id, 1).answered_at is None, "nothing is saved from an expired form"

    again = client.post(f"/attempts/{attempt_id}/questions/1", data={"csrf_token": fresh, "answer": "option-2"})
    assert again.status_code == 302 and again.location.endswith("/questions/1/feedback")
    row = question_row(attempt_id, 1)
    assert row.answer == [row.option_order[1]]


def test_checkbox_answers_sent_with_a_bad_token_are_all_kept(client, people, csrf_on, app):
    sign_in_with_csrf_off(app, client, people)
    attempt_id = start_with_csrf_off(app, client)
    make_first_question_multiple_answer(attempt_id)
    response = client.post(f"/attempts/{attempt_id}/questions/1",
                           data={"csrf_token": "not-a-real-token", "answer": ["option-1", "option-3"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and checked_values(page) == ["option-1", "option-3"]
    assert 'type="checkbox"' in page
    assert question_row(attempt_id, 1).answered_at is None


def test_an_answer_sent_with_no_token_at_all_is_not_saved(client, people, csrf_on, app):
    # The answer form has no token field of its own: the app-wide check is what stops it.
    sign_in_with_csrf_off(app, client, people)
    attempt_id = start_with_csrf_off(app, client)
    response = client.post(f"/attempts/{attempt_id}/questions/1", data={"answer": "option-1"})
    assert response.status_code == 200 and checked_values(response.get_data(as_text=True)) == ["option-1"]
    assert question_row(attempt_id, 1).answered_at is None


def test_a_token_from_before_signing_in_again_is_recovered_too(client, people, csrf_on, app):
    """Signing in again (in another tab) renews the session and its CSRF secret."""
    pat = sign_in_with_csrf_off(app, client, people)
    attempt_id = start_with_csrf_off(app, client)
    old = token(client.get(f"/attempts/{attempt_id}/questions/1").get_data(as_text=True))
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/sign-out")
    sign_in(client, pat)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.post(f"/attempts/{attempt_id}/questions/1", data={"csrf_token": old, "answer": "option-1"})
    assert page.status_code == 200 and checked_values(page.get_data(as_text=True)) == ["option-1"]


def test_the_recovery_shows_nobody_else_s_attempt(client, people, csrf_on, app):
    sign_in_with_csrf_off(app, client, people)
    attempt_id = start_with_csrf_off(app, client)
    other = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(other, people.user("sam@example.org"))
    app.config["WTF_CSRF_ENABLED"] = True
    response = other.post(f"/attempts/{attempt_id}/questions/1", data={"csrf_token": "x", "answer": "option-1"})
    assert response.status_code == 404


def test_an_answer_sent_after_the_session_timed_out_survives_signing_in_again(client, people, csrf_on, app,
                                                                             monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(sessions, "clock", lambda: now[0])
    pat = sign_in_with_csrf_off(app, client, people)
    attempt_id = start_with_csrf_off(app, client)
    page = client.get(f"/attempts/{attempt_id}/questions/1").get_data(as_text=True)
    now[0] += (app.config["SESSION_IDLE_MINUTES"] + 5) * 60

    response = client.post(f"/attempts/{attempt_id}/questions/1", data={"csrf_token": token(page), "answer": "option-2"})
    assert response.status_code == 302
    assert unquote(response.location) == f"/sign-in?next=/attempts/{attempt_id}/questions/1?choice=option-2"
    assert question_row(attempt_id, 1).answered_at is None

    sign_in_page = client.get(response.location).get_data(as_text=True)
    assert "had not used the service" in sign_in_page
    back = client.post(response.location, data={"csrf_token": token(sign_in_page), "email": pat.email,
                                                "password": PASSWORD})
    assert unquote(back.location) == f"/attempts/{attempt_id}/questions/1?choice=option-2"
    question = client.get(back.location).get_data(as_text=True)
    assert checked_values(question) == ["option-2"]
    assert "We kept the answer you chose" in question
    done = client.post(f"/attempts/{attempt_id}/questions/1", data={"csrf_token": token(question), "answer": "option-2"})
    assert done.status_code == 302 and question_row(attempt_id, 1).answered_at is not None


def test_a_choice_in_the_link_that_is_not_an_option_is_ignored(client, people, app):
    sign_in(client, people.user())
    attempt_id = start(client, SLUG)
    page = client.get(f"/attempts/{attempt_id}/questions/1?choice=option-99").get_data(as_text=True)
    assert checked_values(page) == [] and "We kept the answer" not in page


def test_an_expired_sign_in_page_asks_again_and_counts_no_failure(client, people, csrf_on):
    pat = people.user()
    response = client.post("/sign-in", data={"csrf_token": "stale", "email": pat.email, "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The sign-in page had expired" in page
    assert f'value="{pat.email}"' in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")) is None
    again = client.post("/sign-in", data={"csrf_token": token(page), "email": pat.email, "password": PASSWORD})
    assert again.status_code == 302


def test_other_forms_with_a_bad_token_are_refused_plainly(client, people, csrf_on, app):
    sign_in_with_csrf_off(app, client, people)
    response = client.post(f"/modules/{SLUG}/start", data={"csrf_token": "stale"})
    assert response.status_code == 400
    assert "If you were idle for a long time" in response.get_data(as_text=True)


def test_a_signed_out_post_with_a_bad_token_goes_to_sign_in(client, people, csrf_on):
    response = client.post(f"/modules/{SLUG}/start", data={"csrf_token": "stale"})
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def sign_in_with_csrf_off(app, client, people):
    app.config["WTF_CSRF_ENABLED"] = False
    pat = people.user()
    sign_in(client, pat)
    app.config["WTF_CSRF_ENABLED"] = True
    return pat


def start_with_csrf_off(app, client) -> int:
    app.config["WTF_CSRF_ENABLED"] = False
    attempt_id = start(client, SLUG)
    app.config["WTF_CSRF_ENABLED"] = True
    return attempt_id
