"""Accounts that look after themselves: forgotten and changed passwords, invitations by email,
the account page, and the emails themselves. Two-factor sign-in is in test_two_factor.py."""
from __future__ import annotations

import json
import re

import pytest
from flask import template_rendered
from sqlalchemy import select

from learning.extensions import db
from learning.mail import new_message
from learning.models import AuditEvent, Role, User
from learning.people import invitations
from tests.conftest import PASSWORD, sign_in

NEW_PASSWORD = "marmalade kettle lighthouse"


def signed_in(client) -> bool:
    return client.get("/my-learning").status_code == 200


def events(action: str) -> list[dict]:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
    return [json.loads(row.detail) if row.detail else {} for row in rows]


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


class LinkClock:
    """Moves the time links are signed and checked at."""

    def __init__(self, monkeypatch, start=2_000_000_000.0):
        self.now = start
        monkeypatch.setattr(invitations, "clock", lambda: self.now)

    def advance(self, minutes):
        self.now += minutes * 60


@pytest.fixture
def templates(app):
    seen = []

    def note(sender, template, context, **extra):
        seen.append(template.name)

    template_rendered.connect(note, app)
    yield seen
    template_rendered.disconnect(note, app)


def normalised(response, email: str) -> tuple[str, dict]:
    """A response's page and headers with what differs on every response (the CSP nonce,
    the length) and the address typed taken out."""
    nonce = re.compile(r"nonce-?[=\"']*[\w-]+")
    headers = {k: nonce.sub("NONCE", v) for k, v in response.headers.items() if k != "Content-Length"}
    return nonce.sub("NONCE", response.get_data(as_text=True).replace(email, "EMAIL")), headers


def ask_for_reset(client, email, ip="10.0.0.1"):
    """Post the form and close the response, as a server does once it is sent (the email
    goes then)."""
    response = client.post("/password/forgotten", data={"email": email}, environ_base={"REMOTE_ADDR": ip})
    response.get_data()
    response.close()
    return response


# --- forgotten password -------------------------------------------------------------------


def test_the_sign_in_page_links_to_forgotten_password(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/password/forgotten"' in page and "Forgotten your password?" in page
    assert client.get("/password/forgotten").status_code == 200


def test_an_unknown_email_gets_exactly_the_same_page_as_a_known_one_and_no_email(client, people, mailbox, templates):
    people.user("pat@example.org")
    known = ask_for_reset(client, "pat@example.org")
    known_templates = list(templates)
    templates.clear()
    unknown = ask_for_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    pages = [[name for name in seen if not name.startswith("email/")] for seen in (known_templates, templates)]
    assert pages == [["auth/forgotten_password_sent.html"]] * 2
    assert "email/message.txt" in known_templates and "email/message.txt" not in templates
    assert normalised(known, "pat@example.org") == normalised(unknown, "nobody@example.org")
    assert len(mailbox.messages("pat@example.org")) == 1
    assert mailbox.messages("nobody@example.org") == []
    assert [e["sent"] for e in events("password_reset_requested")] == [True, False]


def test_deactivated_and_erased_accounts_get_no_email(client, people, mailbox):
    gone = people.user("gone@example.org")
    gone.active = False
    erased = people.user("erased@example.org")
    erased.erased_at = erased.created_at
    db.session.commit()
    for email in ("gone@example.org", "erased@example.org"):
        assert "Check your email" in ask_for_reset(client, email).get_data(as_text=True)
    assert mailbox.messages() == []


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(app, client, people, mailbox):
    pat = people.user("pat@example.org", name="Pat Fielding")
    laptop = app.test_client()
    sign_in(laptop, pat)
    ask_for_reset(client, "PAT@example.org ")
    [email] = mailbox.messages("pat@example.org")
    assert email["Subject"] == "Reset your password"
    [link] = mailbox.links("pat@example.org", "/password/reset/")

    page = client.get(link)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    refused = client.post(link, data={"password": "Pat Fielding!", "confirm": "Pat Fielding!"}).get_data(as_text=True)
    assert "must not be your name" in refused
    assert fresh(pat).check_password(PASSWORD), "a refused step writes nothing"

    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/sign-in"
    assert fresh(pat).check_password(NEW_PASSWORD)
    assert not signed_in(laptop), "every other session ends"
    assert [e["how"] for e in events("password_reset")] == ["reset link"]
    changed = mailbox.messages("pat@example.org")[-1]
    assert changed["Subject"] == "Your password was changed"

    again = client.post(link, data={"password": "another long password", "confirm": "another long password"})
    assert again.status_code == 410
    assert "This link has expired or has already been used" in again.get_data(as_text=True)
    assert fresh(pat).check_password(NEW_PASSWORD)


def test_a_reset_link_lasts_an_hour(client, people, mailbox, monkeypatch):
    clock = LinkClock(monkeypatch)
    people.user("pat@example.org")
    ask_for_reset(client, "pat@example.org")
    [link] = mailbox.links("pat@example.org", "/password/reset/")
    clock.advance(59)
    assert client.get(link).status_code == 200
    clock.advance(2)
    expired = client.get(link)
    assert expired.status_code == 410
    assert 'href="/password/forgotten"' in expired.get_data(as_text=True), "a way to ask for a new one"


def test_only_the_newest_reset_link_works(client, people, mailbox):
    people.user("pat@example.org")
    ask_for_reset(client, "pat@example.org")
    ask_for_reset(client, "pat@example.org")
    older, newer = mailbox.links("pat@example.org", "/password/reset/")
    assert client.get(older).status_code == 410
    assert client.get(newer).status_code == 200


def test_a_reset_link_stops_working_when_the_password_changes(client, people, mailbox):
    pat = people.user("pat@example.org")
    ask_for_reset(client, "pat@example.org")
    [link] = mailbox.links("pat@example.org", "/password/reset/")
    pat.set_password("a different password entirely")
    db.session.commit()
    assert client.get(link).status_code == 410


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJmIjoiYWJjIn0.aaaa.bbbb"])
def test_an_unknown_or_tampered_reset_link_gets_the_same_clear_page(client, token):
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 410
    assert "This link has expired or has already been used" in page.get_data(as_text=True)


def test_an_invitation_link_is_not_a_reset_link(client, people):
    pat = people.user("pat@example.org")
    token = invitations.token_for(pat, invitations.INVITATION)
    assert client.get(f"/password/reset/{token}").status_code == 410


def test_forgotten_password_requests_are_throttled_per_email_and_per_address(client, people, mailbox):
    people.user("pat@example.org")
    for n in range(5):
        assert ask_for_reset(client, "pat@example.org", ip=f"10.0.0.{n}").status_code == 200
    assert ask_for_reset(client, "pat@example.org", ip="10.0.1.1").status_code == 429
    assert len(mailbox.messages()) == 5
    # An unknown address is limited alike, so the limit says nothing about who has an account.
    for n in range(5):
        ask_for_reset(client, "nobody@example.org", ip=f"10.0.2.{n}")
    assert ask_for_reset(client, "nobody@example.org", ip="10.0.3.1").status_code == 429
    for n in range(20):
        ask_for_reset(client, f"someone{n}@example.org", ip="10.9.9.9")
    assert ask_for_reset(client, "someone-else@example.org", ip="10.9.9.9").status_code == 429


# --- changing your password ---------------------------------------------------------------


def test_changing_your_password_ends_other_sessions_but_not_this_one(app, client, people, mailbox):
    pat = people.user("pat@example.org")
    phone = app.test_client()
    sign_in(phone, pat)
    sign_in(client, pat)
    assert client.get("/account/password").status_code == 200
    done = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/account"
    assert signed_in(client)
    assert not signed_in(phone)
    assert fresh(pat).check_password(NEW_PASSWORD)
    assert [e["how"] for e in events("password_changed")] == ["changed when signed in"]
    [email] = mailbox.messages("pat@example.org")
    assert email["Subject"] == "Your password was changed"
    assert "If it was not you" in mailbox.text(email)


def test_changing_your_password_needs_the_current_one_and_the_usual_rules(client, people):
    pat = people.user("pat@example.org", name="Pat Fielding")
    sign_in(client, pat)
    wrong = client.post("/account/password", data={"current": "not my password", "password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD}).get_data(as_text=True)
    assert "Your current password is not right" in wrong
    personal = client.post("/account/password", data={"current": PASSWORD, "password": "pat@example.org1",
                                                       "confirm": "pat@example.org1"}).get_data(as_text=True)
    assert "must not be your name, your email address" in personal
    mismatch = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD + "!"}).get_data(as_text=True)
    assert "The passwords do not match" in mismatch
    assert fresh(pat).check_password(PASSWORD)


def test_wrong_current_passwords_are_throttled_like_sign_in(client, people):
    pat = people.user("pat@example.org")
    sign_in(client, pat)
    for _ in range(10):
        client.post("/account/password", data={"current": "guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    refused = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD})
    assert refused.status_code == 429
    assert fresh(pat).check_password(PASSWORD)


# --- the account page ---------------------------------------------------------------------


def test_the_account_page_shows_your_details_and_signs_out_everywhere(app, client, people):
    pat = people.user("pat@example.org", name="Pat Fielding")
    phone = app.test_client()
    sign_in(phone, pat)
    sign_in(client, pat)
    page = client.get("/account").get_data(as_text=True)
    for text in ("Pat Fielding", "pat@example.org", "Test Police", "Practitioner", "Two-factor sign-in",
                 'href="/account/password"', 'href="/account/two-factor"', "Sign out everywhere"):
        assert text in page
    assert 'href="/account"' in client.get("/my-learning").get_data(as_text=True), "in the navigation"
    response = client.post("/account/sign-out-everywhere")
    assert response.location == "/sign-in"
    assert not signed_in(client) and not signed_in(phone)
    assert "signed out everywhere" in [e.get("reason") for e in events("sign_out")]


def test_the_account_pages_need_you_to_be_signed_in(client):
    for path in ("/account", "/account/password", "/account/two-factor"):
        assert client.get(path).location.startswith("/sign-in")


# --- invitations --------------------------------------------------------------------------


def create_by_people_page(client, agency_id, **extra):
    return client.post("/people/new", data={"name": "Sam Reid", "email": "sam@example.org", "agency": agency_id,
                                            "role": "practitioner", **extra})


def test_creating_an_account_without_a_password_emails_an_invitation(app, client, people, mailbox):
    police = people.agency()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, name="Cora Nwosu"))
    response = create_by_people_page(client, police.id)
    assert response.status_code == 302
    [email] = mailbox.messages("sam@example.org")
    text = mailbox.text(email)
    assert "Cora Nwosu has made you an account" in text
    assert app.config["PARTNERSHIP_NAME"] in text and "lasts until" in text
    assert email.get_body(preferencelist=("html",)) is not None
    [link] = mailbox.links("sam@example.org", "/set-password/")
    assert client.get(link).status_code == 200
    sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    assert sam.invitation_sent_at is not None
    assert events("invitation_sent") == [{"email": "sam@example.org", "user_id": sam.id}]
    person_page = client.get(f"/people/{sam.id}").get_data(as_text=True)
    assert "invitation emailed on" in person_page and "Send the invitation again" in person_page


def test_creating_an_account_with_a_password_sends_no_invitation(client, people, mailbox):
    police = people.agency()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    create_by_people_page(client, police.id, password="a perfectly long password")
    assert mailbox.messages() == []


def test_sending_the_invitation_again_makes_the_old_link_stop_working(client, people, mailbox):
    police = people.agency()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    create_by_people_page(client, police.id)
    sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    response = client.post(f"/people/{sam.id}/invitation")
    assert response.status_code == 302
    older, newer = mailbox.links("sam@example.org", "/set-password/")
    assert client.get(older).status_code == 410
    assert client.get(newer).status_code == 200


def test_an_agency_lead_cannot_resend_another_agencys_invitation(client, people):
    other = people.user("kim@example.org", agency="Other Agency")
    other.password_hash = None
    db.session.commit()
    sign_in(client, people.user("lee@example.org", role=Role.AGENCY_LEAD))
    assert client.post(f"/people/{other.id}/invitation").status_code == 404


def test_create_user_command_emails_an_invitation_unless_told_not_to(runner, people, mailbox):
    police = people.agency()
    result = runner.invoke(args=["create-user", "--email", "kim@example.org", "--name", "Kim Lowe",
                                 "--agency", police.name])
    assert result.exit_code == 0, result.output
    assert "Invitation to set a password sent to kim@example.org" in result.output
    [link] = mailbox.links("kim@example.org", "/set-password/")
    assert "The partnership's training team has made you an account" in mailbox.text(mailbox.messages()[0])
    scripted = runner.invoke(args=["create-user", "--email", "lou@example.org", "--name", "Lou", "--agency",
                                   police.name, "--no-email", "--password", "a scripted long password"])
    assert scripted.exit_code == 0, scripted.output
    assert mailbox.messages("lou@example.org") == []


# --- granting a role ----------------------------------------------------------------------


def test_granting_coordinator_asks_are_you_sure_then_emails_the_person(client, people, mailbox):
    pat = people.user("pat@example.org")
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN, name="Adi Shah"))
    ask = client.post(f"/people/{pat.id}/role", data={"role": "coordinator"})
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Are you sure you want to make Pat" in page
    assert "every agency&#39;s staff" in page
    assert fresh(pat).role == "practitioner", "nothing changes until confirmed"
    assert mailbox.messages() == []
    done = client.post(f"/people/{pat.id}/role", data={"role": "coordinator", "confirmed": "yes"})
    assert done.status_code == 302 and fresh(pat).role == "coordinator"
    [email] = mailbox.messages("pat@example.org")
    assert email["Subject"] == "Your role has changed"
    assert "Adi Shah has made you partnership training coordinator" in mailbox.text(email)


def test_lowering_a_role_needs_no_confirmation(client, people, mailbox):
    cora = people.user("cora@example.org", role=Role.COORDINATOR)
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    assert client.post(f"/people/{cora.id}/role", data={"role": "practitioner"}).status_code == 302
    assert fresh(cora).role == "practitioner" and mailbox.messages() == []


# --- the emails ---------------------------------------------------------------------------


def test_a_name_with_line_breaks_cannot_add_an_email_header(client, people, mailbox):
    police = people.agency()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    client.post("/people/new", data={"name": "Eve\r\nBcc: spy@evil.example\r\n", "email": "eve@example.org",
                                     "agency": police.id, "role": "practitioner"})
    [email] = mailbox.messages()
    assert email["Bcc"] is None
    assert email["To"] == "eve@example.org"
    assert set(email.keys()) == {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
                                 "MIME-Version", "Content-Type"}
    html = email.get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html


def test_new_message_refuses_a_recipient_or_subject_that_could_add_a_header(app):
    with app.app_context():
        for to in ("pat@example.org\r\nBcc: spy@evil.example", "Pat <pat@example.org>", "a@example.org, b@example.org"):
            with pytest.raises(ValueError):
                new_message(to, "Subject", "Body")
        with pytest.raises(ValueError):
            new_message("pat@example.org", "Hello\nBcc: spy@evil.example", "Body")


def test_html_emails_escape_what_people_typed(app, people, mailbox):
    from learning.people.accounts import send_invitations

    sam = people.user("sam@example.org", name="<b>Sam</b>")
    sam.password_hash = None
    db.session.commit()
    assert send_invitations([sam], invited_by=None) == 1
    html = mailbox.messages()[0].get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;Sam&lt;/b&gt;" in html and "<b>Sam</b>" not in html


def test_require_2fa_for_refuses_an_unknown_role(monkeypatch):
    from learning.config import _roles

    assert _roles("coordinator, Admin") == {"coordinator", "admin"}
    assert _roles("") == frozenset()
    with pytest.raises(ValueError, match="coordinater"):
        _roles("coordinater")


def test_reset_messages_go_after_the_response(client, people, mailbox, monkeypatch):
    """The mail server's time cannot show in the forgotten-password response time: the
    message is handed over once the response has been sent."""
    people.user("pat@example.org")
    response = client.post("/password/forgotten", data={"email": "pat@example.org"}, buffered=False)
    assert mailbox.messages() == [], "nothing is sent while the response is being sent"
    response.close()
    assert len(mailbox.messages("pat@example.org")) == 1
