"""Two-factor sign-in: set-up with a QR code, the second sign-in step with a frozen clock,
each code once, recovery codes, throttling, REQUIRE_2FA_FOR, and an admin's reset."""
from __future__ import annotations

import json
import re

import pyotp
import pytest
from sqlalchemy import select

from learning.auth import sessions, two_factor
from learning.extensions import db
from learning.models import AuditEvent, RecoveryCode, Role, User
from tests.conftest import sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T0 = 1_900_000_020.0  # the start of a 30-second time-step


class Clock:
    def __init__(self, monkeypatch, start=T0):
        self.now = start
        monkeypatch.setattr(sessions, "clock", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def code_at(moment: float, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


def enrolled_user(people, email="cora@example.org", role=Role.COORDINATOR, codes=False):
    user = people.user(email, role=role)
    user.totp_secret = SECRET
    recovery = two_factor.new_recovery_codes(user) if codes else []
    db.session.commit()
    return user, recovery


def signed_in(client) -> bool:
    return client.get("/my-learning").status_code == 200


def events(action):
    return [json.loads(e.detail) if e.detail else {} for e in
            db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def fresh(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_FOR", frozenset({"coordinator", "admin"}))


# --- the second sign-in step --------------------------------------------------------------


def test_after_the_password_an_enrolled_person_is_asked_for_a_code_before_being_signed_in(client, people, clock):
    cora, _ = enrolled_user(people)
    response = sign_in(client, cora)
    assert response.location == "/sign-in/code"
    assert not signed_in(client), "nobody is signed in on a password alone"
    page = client.get("/sign-in/code")
    assert page.status_code == 200 and "Enter your security code" in page.get_data(as_text=True)
    done = client.post("/sign-in/code", data={"code": code_at(clock.now)})
    assert done.status_code == 302 and done.location == "/"
    assert signed_in(client)
    assert events("sign_in")[-1] == {"second_factor": "authenticator app"}


def test_a_code_is_accepted_one_step_either_side_of_now_and_no_further(app, people, clock):
    cora, _ = enrolled_user(people)
    for offset, accepted in ((-60, False), (-30, True), (30, True), (60, False)):
        cora = fresh(cora)
        cora.totp_last_step = None
        db.session.commit()
        browser = app.test_client()
        sign_in(browser, cora)
        browser.post("/sign-in/code", data={"code": code_at(clock.now + offset)})
        assert signed_in(browser) is accepted, offset


def test_each_code_works_once(app, people, clock):
    cora, _ = enrolled_user(people)
    code = code_at(clock.now)
    first, second = app.test_client(), app.test_client()
    sign_in(first, cora)
    first.post("/sign-in/code", data={"code": code})
    assert signed_in(first)
    sign_in(second, cora)
    refused = second.post("/sign-in/code", data={"code": code}).get_data(as_text=True)
    assert "The code is not right" in refused and not signed_in(second)
    # Nor an older one still inside the window: only later steps than the last one used.
    second.post("/sign-in/code", data={"code": code_at(clock.now - 30)})
    assert not signed_in(second)
    clock.advance(30)
    second.post("/sign-in/code", data={"code": code_at(clock.now)})
    assert signed_in(second)


def test_a_wrong_code_is_refused_and_audited_and_writes_nothing(client, people, clock):
    cora, _ = enrolled_user(people, codes=True)
    sign_in(client, cora)
    page = client.post("/sign-in/code", data={"code": "000000" if code_at(clock.now) != "000000" else "111111"})
    assert "The code is not right" in page.get_data(as_text=True)
    assert not signed_in(client)
    assert fresh(cora).totp_last_step is None
    assert events("sign_in_failed")[-1] == {"email": "cora@example.org", "reason": "wrong code"}


def test_a_recovery_code_works_once(app, people, clock):
    cora, codes = enrolled_user(people, codes=True)
    first, second = app.test_client(), app.test_client()
    sign_in(first, cora)
    page = first.post("/sign-in/code", data={"code": codes[0].upper().replace("-", " ")}, follow_redirects=True)
    assert signed_in(first)
    assert "You have 9 left" in page.get_data(as_text=True)
    assert events("sign_in")[-1] == {"second_factor": "recovery code"}
    sign_in(second, cora)
    second.post("/sign-in/code", data={"code": codes[0]})
    assert not signed_in(second)
    second.post("/sign-in/code", data={"code": codes[1]})
    assert signed_in(second)


def test_recovery_codes_are_stored_hashed(people):
    cora, codes = enrolled_user(people, codes=True)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == cora.id)).all()
    assert len(stored) == len(codes) == 10 and len(set(codes)) == 10
    plain = {c.replace("-", "") for c in codes}
    assert not any(code in hashed for hashed in stored for code in plain)


def test_wrong_codes_are_throttled_with_wrong_passwords(client, people, clock):
    cora, _ = enrolled_user(people)
    sign_in(client, cora)
    wrong = "000000" if code_at(clock.now) != "000000" else "111111"
    for _ in range(10):
        assert client.post("/sign-in/code", data={"code": wrong}).status_code == 200
    assert client.post("/sign-in/code", data={"code": code_at(clock.now)}).status_code == 429
    assert not signed_in(client)
    assert sign_in(client, cora).status_code == 429, "the password step shares the account's count"


def test_the_code_step_expires_after_five_minutes(client, people, clock):
    cora, _ = enrolled_user(people)
    sign_in(client, cora)
    clock.advance(5 * 60 + 1)
    response = client.post("/sign-in/code", data={"code": code_at(clock.now)})
    assert response.location == "/sign-in" and not signed_in(client)


def test_the_code_step_without_a_password_first_goes_back_to_sign_in(client):
    assert client.get("/sign-in/code").location == "/sign-in"
    assert client.post("/sign-in/code", data={"code": "123456"}).location == "/sign-in"


def test_the_code_step_keeps_where_the_person_was_going(client, people, clock):
    cora, _ = enrolled_user(people)
    client.post("/sign-in?next=/people/", data={"email": cora.email, "password": "correct horse battery staple"})
    assert client.post("/sign-in/code", data={"code": code_at(clock.now)}).location == "/people/"


# --- set-up -------------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_secret_and_needs_a_right_code(client, people, clock):
    pat = people.user("pat@example.org")
    sign_in(client, pat)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page and "QR code for your authenticator app" in page
    secret = re.search(r'id="two-factor-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert "https://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0], "drawn here, not by another service"

    wrong = client.post("/account/two-factor", data={"code": "12345"}).get_data(as_text=True)
    assert "The code is not right" in wrong
    assert fresh(pat).totp_secret is None, "nothing is written on a refused step"
    assert secret in wrong.replace(" ", ""), "the same secret until it is confirmed"

    done = client.post("/account/two-factor", data={"code": code_at(clock.now, secret)})
    html = done.get_data(as_text=True)
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", html)
    assert len(codes) == 10
    pat = fresh(pat)
    assert pat.totp_secret == secret and pat.totp_last_step == int(clock.now // 30)
    assert events("two_factor_enabled") == [{"user_id": pat.id}]

    client.post("/sign-out")
    sign_in(client, pat)
    clock.advance(30)
    client.post("/sign-in/code", data={"code": code_at(clock.now, secret)})
    assert signed_in(client)


def test_a_person_can_make_new_recovery_codes_with_a_code_from_the_app(client, people, clock):
    pat, old = enrolled_user(people, "pat@example.org", Role.PRACTITIONER, codes=True)
    sign_in(client, pat)
    client.post("/sign-in/code", data={"code": code_at(clock.now)})
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "You have 10 unused recovery codes" in page
    clock.advance(30)
    html = client.post("/account/two-factor", data={"code": code_at(clock.now), "new_codes": "1"}).get_data(as_text=True)
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", html)
    assert len(new) == 10 and not set(new) & set(old)
    assert not two_factor.use_recovery_code(fresh(pat), old[0])


def test_someone_whose_role_does_not_need_it_can_turn_it_off(client, people, clock):
    pat, _ = enrolled_user(people, "pat@example.org", Role.PRACTITIONER, codes=True)
    sign_in(client, pat)
    client.post("/sign-in/code", data={"code": code_at(clock.now)})
    clock.advance(30)
    client.post("/account/two-factor", data={"code": code_at(clock.now), "turn_off": "1"})
    assert fresh(pat).totp_secret is None
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == pat.id)).all() == []


def test_a_coordinator_who_needs_it_cannot_turn_it_off(client, people, clock, required):
    cora, _ = enrolled_user(people)
    sign_in(client, cora)
    client.post("/sign-in/code", data={"code": code_at(clock.now)})
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "cannot be turned off" in page and "Turn off" not in page
    clock.advance(30)
    client.post("/account/two-factor", data={"code": code_at(clock.now), "turn_off": "1"})
    assert fresh(cora).totp_secret == SECRET


# --- REQUIRE_2FA_FOR ----------------------------------------------------------------------


def test_a_coordinator_without_two_factor_must_set_it_up_before_anything_else(client, people, clock, required):
    cora = people.user("cora@example.org", role=Role.COORDINATOR)
    response = sign_in(client, cora)
    assert response.location == "/account/two-factor"
    for path in ("/my-learning", "/people/", "/account"):
        assert client.get(path).location == "/account/two-factor", path
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="two-factor-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    client.post("/account/two-factor", data={"code": code_at(clock.now, secret)})
    assert client.get("/people/").status_code == 200


def test_a_practitioner_is_not_made_to_set_it_up(client, people, required):
    sign_in(client, people.user("pat@example.org"))
    assert signed_in(client)


def test_with_require_2fa_for_empty_nobody_is_made_to_set_it_up(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert client.get("/people/").status_code == 200


# --- an admin's reset ---------------------------------------------------------------------


def test_an_admin_resets_a_persons_two_factor_and_they_are_emailed_and_signed_out(app, client, people, clock,
                                                                                   mailbox):
    cora, _ = enrolled_user(people, codes=True)
    cora_browser = app.test_client()
    sign_in(cora_browser, cora)
    cora_browser.post("/sign-in/code", data={"code": code_at(clock.now)})
    assert signed_in(cora_browser)
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN, name="Adi Shah"))
    person_page = client.get(f"/people/{cora.id}").get_data(as_text=True)
    assert f'href="/people/{cora.id}/two-factor/reset"' in person_page
    assert client.get(f"/people/{cora.id}/two-factor/reset").status_code == 200
    assert client.post(f"/people/{cora.id}/two-factor/reset").status_code == 302
    assert fresh(cora).totp_secret is None
    assert not signed_in(cora_browser)
    assert events("two_factor_reset") == [{"email": "cora@example.org", "user_id": cora.id}]
    [email] = mailbox.messages("cora@example.org")
    assert email["Subject"] == "Your two-factor sign-in was reset" and "Adi Shah" in mailbox.text(email)


def test_only_admins_reset_two_factor(client, people):
    cora, _ = enrolled_user(people)
    sign_in(client, people.user("coco@example.org", role=Role.COORDINATOR))
    assert client.post(f"/people/{cora.id}/two-factor/reset").status_code == 403
    assert fresh(cora).totp_secret == SECRET


def test_the_demo_coordinator_and_admin_are_enrolled_with_the_printed_secret(runner, ctx):
    from learning.demo import DEMO_TOTP_SECRET

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_TOTP_SECRET in result.output
    secrets = dict(db.session.execute(select(User.email, User.totp_secret).where(
        User.email.in_(["coordinator@example.org", "admin@example.org", "lead@example.org"]))).all())
    assert secrets == {"coordinator@example.org": DEMO_TOTP_SECRET, "admin@example.org": DEMO_TOTP_SECRET,
                       "lead@example.org": None}
