"""Sign-in throttling: no more than 10 failures in 5 minutes per account and per IP address.
(Across gunicorn workers with Redis: tests/test_gunicorn.py.)"""
import time

from sqlalchemy import select

from learning import create_app
from learning.extensions import db
from learning.models import AuditEvent
from tests.conftest import PASSWORD, IsolatedClient


def attempt(client, email, password, ip="10.0.0.1"):
    return client.post("/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_an_account_is_locked_after_ten_failures_even_from_different_addresses(client, people):
    pat = people.user()
    people.user("sam@example.org")
    for i in range(10):
        response = attempt(client, pat.email, "wrong password", ip=f"10.0.1.{i}")
        assert response.status_code == 200, i
    refused = attempt(client, "PAT@example.org", PASSWORD, ip="10.0.2.1")  # right password, new address
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert attempt(client, "sam@example.org", PASSWORD, ip="10.0.2.1").status_code == 302, "other accounts unaffected"


def test_an_address_is_locked_after_ten_failures_across_accounts(client, people):
    pat = people.user()
    for i in range(10):
        assert attempt(client, f"guess{i}@example.org", "wrong password", ip="10.9.9.9").status_code == 200
    assert attempt(client, pat.email, PASSWORD, ip="10.9.9.9").status_code == 429
    assert attempt(client, pat.email, PASSWORD, ip="10.9.9.10").status_code == 302, "other addresses unaffected"


def test_only_failures_count(client, people):
    pat = people.user()
    for _ in range(11):  # more successes than the limit
        assert attempt(client, pat.email, PASSWORD).status_code == 302
        client.post("/sign-out")
    for _ in range(9):
        assert attempt(client, pat.email, "wrong password").status_code == 200
    assert attempt(client, pat.email, PASSWORD).status_code == 302, "the 10th try is still allowed"
    client.post("/sign-out")
    assert attempt(client, pat.email, "wrong password").status_code == 200  # the 10th failure
    assert attempt(client, pat.email, PASSWORD).status_code == 429


def test_the_count_runs_over_a_moving_window(app, client, people):
    pat = people.user()
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per 2 seconds"
    try:
        for _ in range(3):
            attempt(client, pat.email, "wrong password")
        assert attempt(client, pat.email, PASSWORD).status_code == 429
        time.sleep(2.1)
        assert attempt(client, pat.email, PASSWORD).status_code == 302
    finally:
        app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "10 per 5 minutes"


def test_a_throttled_request_does_not_check_the_password_or_count(client, people, monkeypatch):
    pat = people.user()
    for _ in range(10):
        attempt(client, pat.email, "wrong password")
    checked = []
    monkeypatch.setattr("learning.auth.views.authenticate", lambda *a: checked.append(a))
    assert attempt(client, pat.email, PASSWORD).status_code == 429
    assert checked == []
    failures = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).all()
    assert len(failures) == 10


def test_the_sign_in_page_itself_is_never_throttled(client, people):
    pat = people.user()
    for _ in range(10):
        attempt(client, pat.email, "wrong password")
    assert client.get("/sign-in", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(app, client, people):
    """Without TRUSTED_PROXIES a client could dodge the per-IP limit by making up
    X-Forwarded-For; with it (behind a proxy), the real client address is what counts."""
    forged = {"X-Forwarded-For": "203.0.113.9"}
    client.post("/sign-in", data={"email": "a@example.org", "password": "wrong"}, headers=forged)
    proxied_app = create_app(testing=True, test_config={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                                        "TRUSTED_PROXIES": 1})
    proxied_app.test_client_class = IsolatedClient
    proxied = proxied_app.test_client()
    for _ in range(10):
        proxied.post("/sign-in", data={"email": "b@example.org", "password": "wrong"}, headers=forged)
    pat = people.user()
    assert proxied.post("/sign-in", data={"email": pat.email, "password": PASSWORD},
                        headers=forged).status_code == 429
    assert proxied.post("/sign-in", data={"email": pat.email, "password": PASSWORD},
                        headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 302
    ips = [e.ip for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")
                                            .order_by(AuditEvent.id))]
    assert ips == ["127.0.0.1"] + ["203.0.113.9"] * 10
