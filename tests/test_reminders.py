"""Expiry reminders, sent to a real SMTP server (aiosmtpd) that the tests start on 127.0.0.1,
and the outbox folder used when no mail server is configured."""
import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from learning.compliance.reminders import send_reminders
from learning.extensions import db
from learning.models import ReminderSent, Role, utcnow

WINDOW = 60  # EXPIRING_WINDOW_DAYS by default


def long_date(moment) -> str:
    return f"{moment.day} {moment:%B %Y}"


class Collector:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message,
                              "subject": message["Subject"], "body": message.get_content()})
        return "250 Message accepted for delivery"

    def to(self, email: str) -> list[dict]:
        return [m for m in self.messages if email in m["to"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def outbox(app, tmp_path, monkeypatch):
    """Every test writes any outbox files to its own folder, never to instance/."""
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(folder))
    return folder


@pytest.fixture
def smtp(app, monkeypatch):
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Safeguarding learning <learning@example.org>")
    yield handler
    controller.stop()


@pytest.fixture
def staff(people, records):
    """Police A: Pat (two modules running out in the window), Sam (expired), Ida (in date beyond
    the window), their lead Lee. Police B: Bo (one running out) and lead Fay."""
    now = utcnow()
    pat = people.user("pat@example.org", agency="Police A", name="Pat Practitioner")
    sam = people.user("sam@example.org", agency="Police A", name="Sam Stale")
    ida = people.user("ida@example.org", agency="Police A", name="Ida Indate")
    lee = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A", name="Lee Lead")
    bo = people.user("bo@example.org", agency="Police B", name="Bo Other")
    fay = people.user("fay@example.org", role=Role.AGENCY_LEAD, agency="Police B", name="Fay Lead")
    soon = {
        "pat_police": records.completion(pat, "police-protection", now - timedelta(days=700), now + timedelta(days=20)),
        "pat_escalation": records.completion(pat, "escalation", now - timedelta(days=680), now + timedelta(days=40)),
        "bo_police": records.completion(bo, "police-protection", now - timedelta(days=700), now + timedelta(days=10)),
    }
    records.completion(sam, "police-protection", now - timedelta(days=800), now - timedelta(days=5))
    records.completion(ida, "police-protection", now - timedelta(days=100), now + timedelta(days=WINDOW + 30))
    return {"pat": pat, "sam": sam, "ida": ida, "lee": lee, "bo": bo, "fay": fay, **soon}


def test_a_practitioner_gets_one_email_listing_each_module_that_runs_out_soon(runner, smtp, staff, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://learning.example.org")
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    [email] = smtp.to("pat@example.org")
    assert email["to"] == ["pat@example.org"] and email["from"] == "learning@example.org"
    assert email["subject"] == "Your safeguarding learning runs out soon: please renew it"
    body = email["body"]
    assert body.startswith("Dear Pat Practitioner,")
    assert f"Police protection: valid until {long_date(staff['pat_police'].expires_at)}" in body
    assert f"Professional challenge and escalation: valid until {long_date(staff['pat_escalation'].expires_at)}" in body
    assert "https://learning.example.org/my-learning" in body
    assert email["message"]["Auto-Submitted"] == "auto-generated"


def test_each_agency_lead_gets_a_digest_of_their_own_staff_only(runner, smtp, staff):
    runner.invoke(args=["send-reminders"])
    [digest] = smtp.to("lee@example.org")
    assert digest["subject"] == "Staff safeguarding learning that runs out soon: Police A"
    body = digest["body"]
    assert "1 person in Police A has" in body
    assert "Pat Practitioner" in body and "Police protection" in body and "Professional challenge" in body
    assert "Bo Other" not in body and "Sam Stale" not in body and "Ida Indate" not in body
    assert "/dashboard/" in body
    [other] = smtp.to("fay@example.org")
    assert "Bo Other" in other["body"] and "Pat Practitioner" not in other["body"]


def test_the_command_prints_how_many_it_sent_and_where(runner, smtp, staff, app):
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0
    assert (f"Sent 2 practitioner reminders and 2 lead digests to the SMTP server 127.0.0.1:{app.config['MAIL_PORT']}"
            in result.output)
    assert len(smtp.messages) == 4


def test_running_it_again_sends_nothing_new(runner, smtp, staff):
    runner.invoke(args=["send-reminders"])
    assert len(smtp.messages) == 4
    again = runner.invoke(args=["send-reminders"])
    assert again.exit_code == 0
    assert "Sent 0 practitioner reminders and 0 lead digests" in again.output
    assert len(smtp.messages) == 4


def test_expired_learning_and_learning_in_date_beyond_the_window_get_no_reminder(runner, smtp, staff):
    runner.invoke(args=["send-reminders"])
    assert smtp.to("sam@example.org") == [] and smtp.to("ida@example.org") == []
    recorded = db.session.scalars(select(ReminderSent.user_id)).all()
    assert staff["sam"].id not in recorded and staff["ida"].id not in recorded


def test_each_expiry_is_recorded_once_per_kind(runner, smtp, staff):
    runner.invoke(args=["send-reminders"])
    rows = db.session.execute(select(ReminderSent.user_id, ReminderSent.module_id, ReminderSent.expires_at,
                                     ReminderSent.kind)).all()
    pat = staff["pat"].id
    assert sorted((r.kind, r.expires_at) for r in rows if r.user_id == pat) == sorted(
        (kind, c.expires_at) for kind in ("lead", "practitioner") for c in (staff["pat_police"], staff["pat_escalation"]))


def test_a_lead_gets_their_own_reminder_and_does_not_find_themselves_in_their_digest(runner, smtp, staff, records):
    lee = staff["lee"]
    records.completion(lee, "core-groups", utcnow() - timedelta(days=700), utcnow() + timedelta(days=15))
    runner.invoke(args=["send-reminders"])
    emails = smtp.to("lee@example.org")
    assert sorted(e["subject"].split(":")[0] for e in emails) == [
        "Staff safeguarding learning that runs out soon", "Your safeguarding learning runs out soon"]
    digest = next(e for e in emails if e["subject"].startswith("Staff"))
    assert "Lee Lead" not in digest["body"].split("\n", 1)[1]


def test_a_renewed_completion_gets_a_new_reminder_in_its_own_window(app, ctx, smtp, staff, records):
    now = utcnow()
    first = send_reminders(now)
    assert first.practitioner_reminders == 2
    renewal = records.completion(staff["bo"], "police-protection", now, now + timedelta(days=730))
    assert send_reminders(now).practitioner_reminders == 0  # renewed: in date, nothing to say
    smtp.messages.clear()
    later = renewal.expires_at - timedelta(days=WINDOW - 5)
    outcome = send_reminders(later)
    assert outcome.practitioner_reminders == 1 and outcome.lead_digests == 1
    [email] = smtp.to("bo@example.org")
    assert f"valid until {long_date(renewal.expires_at)}" in email["body"]
    assert "Bo Other" in smtp.to("fay@example.org")[0]["body"]
    assert send_reminders(later).practitioner_reminders == 0


def test_deactivated_accounts_and_coordinators_get_no_reminder(runner, smtp, people, records):
    gone = people.user("gone@example.org", name="Gone Person")
    gone.active = False
    db.session.commit()
    coordinator = people.user("coord@example.org", role=Role.COORDINATOR, name="Cora Coord")
    for person in (gone, coordinator):
        records.completion(person, "police-protection", utcnow() - timedelta(days=700), utcnow() + timedelta(days=9))
    result = runner.invoke(args=["send-reminders"])
    assert "Sent 0 practitioner reminders and 0 lead digests" in result.output
    assert smtp.messages == []


def test_without_a_mail_server_messages_are_written_to_the_outbox_as_eml_files(app, runner, staff, outbox):
    assert app.config["MAIL_SERVER"] is None
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert f"Wrote 2 practitioner reminders and 2 lead digests to {outbox}" in result.output
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 4
    messages = [message_from_bytes(f.read_bytes(), policy=default_policy) for f in files]
    assert sorted(m["To"] for m in messages) == ["bo@example.org", "fay@example.org", "lee@example.org",
                                                  "pat@example.org"]
    pat = next(m for m in messages if m["To"] == "pat@example.org")
    assert "Police protection" in pat.get_content() and pat["Subject"].startswith("Your safeguarding learning")
    runner.invoke(args=["send-reminders"])
    assert len(list(outbox.glob("*.eml"))) == 4


def test_when_the_mail_server_cannot_be_reached_nothing_is_recorded_and_the_next_run_sends(app, runner, staff,
                                                                                           monkeypatch, smtp):
    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    failed = runner.invoke(args=["send-reminders"])
    assert failed.exit_code == 1 and "Could not connect" in failed.output
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0
    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)
    assert runner.invoke(args=["send-reminders"]).exit_code == 0
    assert len(smtp.messages) == 4


def test_a_dry_run_counts_what_is_due_and_sends_and_records_nothing(runner, smtp, staff):
    result = runner.invoke(args=["send-reminders", "--dry-run"])
    assert "Dry run: 2 practitioner reminders and 2 lead digests due" in result.output
    assert smtp.messages == []
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0


def test_who_is_due_takes_the_same_three_queries_for_any_number_of_people(app, ctx, people, records, count_queries):
    def add_staff(n, start):
        for i in range(start, start + n):
            person = people.user(f"p{i}@example.org", agency=f"Agency {i % 3}")
            records.completion(person, "police-protection", utcnow() - timedelta(days=700),
                               utcnow() + timedelta(days=5 + i % 30))

    add_staff(3, 0)
    with count_queries() as few:
        assert send_reminders(dry_run=True).practitioner_reminders == 3
    add_staff(30, 3)
    with count_queries() as many:
        assert send_reminders(dry_run=True).practitioner_reminders == 33
    assert few() == many() == 3  # practitioners, lead digests, course places


def test_reminders_go_in_batches_each_person_once_and_a_failure_leaves_the_rest_due(app, ctx, people, records,
                                                                                   monkeypatch):
    """Five people, two to a batch: the mail server stops taking messages during the second
    batch, so what was sent stays sent and the rest stay due, for the next run only."""
    from contextlib import contextmanager

    from learning.compliance import reminders
    from learning.mail import MailError

    for i in range(5):
        person = people.user(f"p{i}@example.org")
        records.completion(person, "police-protection", utcnow() - timedelta(days=700), utcnow() + timedelta(days=10))
    delivered: list[str] = []
    working = {"left": 3}  # the fourth message, in the second batch, is the first refused

    @contextmanager
    def mailer():
        def send(message):
            if working["left"] == 0:
                raise MailError(f"refused {message['To']}")
            working["left"] -= 1
            delivered.append(message["To"])
        yield send

    monkeypatch.setattr(reminders, "mailer", mailer)
    first = send_reminders(batch=2)
    assert first.practitioner_reminders == 3 and len(first.failures) == 2
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 3  # the refused two released
    assert send_reminders(dry_run=True).practitioner_reminders == 2  # the refused two are due again
    working["left"] = 10
    second = send_reminders(batch=2)
    assert second.practitioner_reminders == 2 and not second.failures
    assert sorted(delivered) == [f"p{i}@example.org" for i in range(5)]  # everyone once, nobody twice
    assert send_reminders(batch=2).practitioner_reminders == 0
