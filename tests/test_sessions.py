"""Sessions: renewed at sign-in, ended at sign-out, idle timeout and absolute lifetime,
and production cookie flags."""
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from learning import create_app
from learning.auth import sessions
from learning.extensions import db
from learning.models import AuditEvent
from tests.conftest import IsolatedClient, sign_in


class Clock:
    def __init__(self, monkeypatch, start=1_000_000.0):
        self.now = start
        monkeypatch.setattr(sessions, "clock", lambda: self.now)

    def advance(self, minutes):
        self.now += minutes * 60


def signed_in(client) -> bool:
    return client.get("/my-learning").status_code == 200


def test_sign_in_starts_a_new_session(client, people):
    pat = people.user()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["csrf_token"] = "a token the attacker knows"
    sign_in(client, pat)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != "a token the attacker knows"
        assert session["_user_id"] == str(pat.id)


def test_sign_out_deletes_a_remember_cookie(client, people):
    sign_in(client, people.user())
    client.set_cookie("remember_token", "1|forged")
    response = client.post("/sign-out")
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert cleared and "Expires=Thu, 01 Jan 1970" in cleared[0]


def test_a_copy_of_the_session_cookie_is_useless_after_sign_out(app, client, people):
    pat = people.user()
    sign_in(client, pat)
    stolen = client.get_cookie("session").value
    other_device = app.test_client()
    sign_in(other_device, pat)
    client.post("/sign-out")
    client.set_cookie("session", stolen)
    assert not signed_in(client)
    assert not signed_in(other_device), "signing out ends the person's sessions everywhere"
    assert sign_in(client, pat).status_code == 302 and signed_in(client), "and they can sign in again"


def test_the_session_ends_after_the_idle_timeout(app, client, people, monkeypatch):
    clock = Clock(monkeypatch)
    pat = people.user()
    sign_in(client, pat)
    idle = app.config["SESSION_IDLE_MINUTES"]
    for _ in range(3):  # activity keeps it going well past one idle period
        clock.advance(idle - 1)
        assert signed_in(client)
    clock.advance(idle + 1)
    response = client.get("/my-learning")
    assert response.status_code == 302
    assert unquote(response.location) == "/sign-in?next=/my-learning"
    page = client.get(response.location).get_data(as_text=True)
    assert f"had not used the service for {idle} minutes" in page
    assert not signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_out"))
    assert event.actor_id == pat.id and "idle timeout" in event.detail


def test_requests_within_a_minute_do_not_resend_the_session_cookie(app, client, people, monkeypatch):
    clock = Clock(monkeypatch)
    sign_in(client, people.user())
    clock.advance(2)
    assert "session=" in client.get("/my-learning").headers.get("Set-Cookie", ""), "the last-seen time moves on"
    clock.advance(0.5)
    assert "Set-Cookie" not in client.get("/my-learning").headers, "nothing changed: no cookie to sign and send"


def test_activity_within_a_minute_of_the_last_recorded_does_not_extend_the_idle_limit(app, client, people, monkeypatch):
    clock = Clock(monkeypatch)
    sign_in(client, people.user())
    idle = app.config["SESSION_IDLE_MINUTES"]
    clock.advance(0.9)
    assert signed_in(client)  # not recorded: under a minute since sign-in
    clock.advance(idle - 0.8)  # idle + 0.1 minutes after sign-in, but within the minute's grace
    assert not signed_in(client)


def test_the_session_ends_after_its_absolute_lifetime_however_active(app, client, people, monkeypatch):
    clock = Clock(monkeypatch)
    sign_in(client, people.user())
    lifetime_minutes = app.permanent_session_lifetime.total_seconds() / 60
    elapsed = 0
    while elapsed + 30 < lifetime_minutes:
        clock.advance(30)
        elapsed += 30
        assert signed_in(client)
    clock.advance(31)
    assert not signed_in(client)


def test_a_deactivated_account_loses_access_at_once(client, people):
    pat = people.user()
    sign_in(client, pat)
    pat.active = False
    db.session.commit()
    assert not signed_in(client)


def test_a_session_without_a_sign_in_time_is_not_accepted(client, people):
    """A session not made by sign-in (say, restored from a remember cookie) is ended."""
    pat = people.user()
    with client.session_transaction() as session:
        session["_user_id"] = str(pat.id)
        session["_fresh"] = True
    assert not signed_in(client)


def test_the_limits_are_configured_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "8")
    config = create_app(testing=True, test_config={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}).config
    assert config["SESSION_IDLE_MINUTES"] == 15
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600


@pytest.fixture
def production_app(app, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    production = create_app(testing=True, test_config={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    production.test_client_class = IsolatedClient
    return production


def test_production_cookies_are_secure_httponly_and_samesite_lax(production_app, people):
    pat = people.user()
    client = production_app.test_client()
    response = client.post("/sign-in", base_url="https://localhost",
                           data={"email": pat.email, "password": "correct horse battery staple"})
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags
    assert production_app.config["REMEMBER_COOKIE_SECURE"] and production_app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_development_cookies_are_httponly_and_lax_but_not_secure(client, people):
    response = sign_in(client, people.user())
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags
    assert "Strict-Transport-Security" not in response.headers
