"""Expiry reminders, sent by `flask --app app send-reminders` (once a day, from cron).

- Each practitioner (active, in the workforce, in an active agency) gets one email listing
  their required learning that runs out within EXPIRING_WINDOW_DAYS and has not run out yet.
- Each agency lead gets one digest of their staff's learning in that state.

Who is due comes from two SQL queries built on learning/compliance/__init__.py (so "expiring" here
means exactly what it means on the dashboards); nothing queries per person.

Once per window: a ReminderSent row (person, module, the expiry date, kind) marks each
expiry reminded about; kind "practitioner" for the person's own email and kind "lead" for
a lead digest, with user_id the practitioner concerned, so each expiry appears in a digest
once. A renewal has a new expiry date, so it is reminded about again in its own window.
The rows are claimed (inserted, under the table's unique constraint) before the message
is sent and released if sending fails, so two overlapping runs cannot both send one
reminder, and a failed send is retried by the next run.

Practitioners' reminders go BATCH people at a time: one claim and one commit for the batch
(not one per person), then its messages, each written just before it is sent, and a log line
says how far the run has got. A process killed in the middle of a batch leaves that batch's
unsent reminders claimed: they are not sent (at most BATCH people, where it was one before).
"""
from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import and_, delete, exists, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from learning.compliance import Scope, pairs
from learning.compliance.status import Status
from learning.courses import notices
from learning.extensions import db
from learning.links import absolute_url
from learning.mail import MailError, destination, mailer, new_message
from learning.models import Agency, Module, ReminderSent, Role, User, utcnow

PRACTITIONER = "practitioner"
LEAD = "lead"
BATCH = 500  # practitioners claimed together, in one commit


@dataclass(frozen=True)
class Expiry:
    """One person's required module that runs out within the window."""

    user_id: int
    name: str
    module_id: int
    title: str
    expires_at: datetime

    @property
    def key(self) -> tuple[int, int, datetime]:
        return self.user_id, self.module_id, self.expires_at


@dataclass
class Message:
    to_name: str
    to_email: str
    expiries: list[Expiry]
    agency: str = ""


@dataclass
class Outcome:
    practitioner_reminders: int = 0
    lead_digests: int = 0
    booking_reminders: int = 0
    where: str = ""
    failures: list[str] = field(default_factory=list)


def _expiring(now: datetime):
    """Every (person, required module) whose latest completion runs out within the window."""
    inner = pairs(Scope(), now).subquery()
    return inner, inner.c.status == Status.EXPIRING.value


def _not_reminded(inner, kind: str):
    return ~exists().where(
        ReminderSent.user_id == inner.c.user_id, ReminderSent.module_id == inner.c.module_id,
        ReminderSent.expires_at == inner.c.expiry, ReminderSent.kind == kind,
    )


def due_practitioner_reminders(now: datetime) -> list[Message]:
    """One message per practitioner with expiring learning not yet reminded about (one query)."""
    inner, expiring = _expiring(now)
    rows = db.session.execute(
        select(User.id, User.name, User.email, Module.id.label("module_id"), Module.title, inner.c.expiry)
        .select_from(inner)
        .join(User, User.id == inner.c.user_id)
        .join(Module, Module.id == inner.c.module_id)
        .where(expiring, _not_reminded(inner, PRACTITIONER))
        .order_by(User.id, inner.c.expiry, Module.title)
    ).all()
    messages: dict[int, Message] = {}
    for r in rows:
        message = messages.setdefault(r.id, Message(r.name, r.email, []))
        message.expiries.append(Expiry(r.id, r.name, r.module_id, r.title, r.expiry))
    return list(messages.values())


def due_lead_digests(now: datetime) -> dict[int, list[Message]]:
    """Per agency, one digest per agency lead of their staff's expiring learning not yet in
    a digest (one query). A lead's own learning is not in their own digest (they get their
    own reminder); with two leads, each sees the other's."""
    inner, expiring = _expiring(now)
    # The leads first, a few rows kept apart (OFFSET 0), rather than sought among the agency's
    # whole staff for each expiring row, which is what SQLite does with a plain join.
    lead = (select(User.id, User.name, User.email, User.agency_id)
            .where(User.role == Role.AGENCY_LEAD.value, User.active.is_(True)).offset(0).subquery())
    staff = aliased(User)
    rows = db.session.execute(
        select(inner.c.agency_id, Agency.name.label("agency"), lead.c.id.label("lead_id"),
               lead.c.name.label("lead_name"), lead.c.email.label("lead_email"), staff.id.label("staff_id"),
               staff.name.label("staff_name"), Module.id.label("module_id"), Module.title, inner.c.expiry)
        .select_from(inner)
        .join(staff, staff.id == inner.c.user_id)
        .join(Module, Module.id == inner.c.module_id)
        .join(Agency, Agency.id == inner.c.agency_id)
        .join(lead, and_(lead.c.agency_id == inner.c.agency_id, lead.c.id != inner.c.user_id))
        .where(expiring, _not_reminded(inner, LEAD))
        .order_by(inner.c.agency_id, lead.c.id, staff.name, staff.id, inner.c.expiry, Module.title)
    ).all()
    digests: dict[int, dict[int, Message]] = defaultdict(dict)
    for r in rows:
        message = digests[r.agency_id].setdefault(r.lead_id, Message(r.lead_name, r.lead_email, [], r.agency))
        message.expiries.append(Expiry(r.staff_id, r.staff_name, r.module_id, r.title, r.expiry))
    return {agency_id: list(by_lead.values()) for agency_id, by_lead in digests.items()}


def _claim(kind: str, expiries: list[Expiry]) -> bool:
    """Mark these expiries reminded about, in one commit. False (and nothing marked) if
    another run got to any of them first."""
    keys = sorted({e.key for e in expiries})
    try:
        db.session.execute(insert(ReminderSent), [
            {"user_id": u, "module_id": m, "expires_at": x, "kind": kind} for u, m, x in keys])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _claim_batch(kind: str, messages: list[Message]) -> list[Message]:
    """Claim a batch of messages' expiries at once; the messages whose claim holds. If
    another run has claimed some of them, each message is claimed on its own instead, so
    only those are left to that run."""
    if _claim(kind, [e for m in messages for e in m.expiries]):
        return messages
    return [m for m in messages if _claim(kind, m.expiries)]


def _release(kind: str, expiries: list[Expiry]) -> None:
    """Undo a claim after a failed send, so the next run tries again."""
    keys = {e.key for e in expiries}
    db.session.execute(delete(ReminderSent).where(ReminderSent.kind == kind, or_(*[
        and_(ReminderSent.user_id == u, ReminderSent.module_id == m, ReminderSent.expires_at == x) for u, m, x in keys
    ])))
    db.session.commit()


def long_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _text(*blocks: str | list[str]) -> str:
    """Plain-text email: paragraphs wrapped at 72 characters, list items indented."""
    out = []
    for block in blocks:
        if isinstance(block, list):  # lines kept as they are (links, list items)
            out.append("\n".join(textwrap.fill(line, 72, subsequent_indent="  ", break_long_words=False,
                                               break_on_hyphens=False) for line in block))
        else:
            out.append(textwrap.fill(block, 72, break_long_words=False, break_on_hyphens=False))
    return "\n\n".join(out) + "\n"


def _items(expiries: list[Expiry]) -> list[str]:
    return [f"- {e.title}: valid until {long_date(e.expires_at)}" for e in expiries]


def practitioner_email(message: Message):
    config = current_app.config
    several = len(message.expiries) > 1
    body = _text(
        f"Dear {message.to_name},",
        f"{'These pieces of safeguarding learning run' if several else 'This safeguarding learning runs'} out "
        f"in the next {config['EXPIRING_WINDOW_DAYS']} days:",
        _items(message.expiries),
        f"Renew {'them' if several else 'it'} before then, so that your record stays in date. "
        "Sign in and go to My learning:",
        [absolute_url("learner.my_learning")],
        "We send this reminder once, before your learning runs out. If you have already renewed it, "
        "you do not need to do anything.",
        [config["SERVICE_NAME"], config["PARTNERSHIP_NAME"]],
    )
    subject = "Your safeguarding learning runs out soon: please renew it"
    return new_message(message.to_email, subject, body)


def lead_email(message: Message):
    config = current_app.config
    by_person: dict[int, list[Expiry]] = defaultdict(list)
    for e in message.expiries:
        by_person[e.user_id].append(e)
    count = len(by_person)
    body = _text(
        f"Dear {message.to_name},",
        f"{count} {'person' if count == 1 else 'people'} in {message.agency} "
        f"{'has' if count == 1 else 'have'} safeguarding learning that runs out in the next "
        f"{config['EXPIRING_WINDOW_DAYS']} days. We have also emailed each of them a reminder.",
        *[[expiries[0].name, *_items(expiries)] for expiries in by_person.values()],
        "You will not be told about the same learning again, unless it is renewed and later runs out. "
        "See your staff's learning on the dashboard:",
        [absolute_url("compliance.home")],
        [config["SERVICE_NAME"], config["PARTNERSHIP_NAME"]],
    )
    subject = f"Staff safeguarding learning that runs out soon: {message.agency}"
    return new_message(message.to_email, subject, body)


def send_reminders(now: datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> Outcome:
    """Send what is due. With dry_run, count it without sending or recording anything."""
    now = now or utcnow()
    practitioners = due_practitioner_reminders(now)
    digests = due_lead_digests(now)
    places = notices.due_booking_reminders(now)
    outcome = Outcome(where=destination())
    if dry_run:
        outcome.practitioner_reminders = len(practitioners)
        outcome.lead_digests = sum(len(messages) for messages in digests.values())
        outcome.booking_reminders = len(places)
        return outcome
    if not practitioners and not digests and not places:
        return outcome
    log = current_app.logger
    with mailer() as send:
        for start in range(0, len(practitioners), batch):
            _send_reminders(send, practitioners[start:start + batch], outcome)
            log.info("reminders: %d of %d practitioners done", min(start + batch, len(practitioners)),
                     len(practitioners))
        for messages in digests.values():
            _send_digests(send, messages, outcome)
        for booking in places:
            _send_booking_reminder(send, booking, now, outcome)
    return outcome


def _send_booking_reminder(send: Callable[[EmailMessage], None], booking, now: datetime, outcome: Outcome) -> None:
    """The two-day reminder of a course place, once per booking."""
    if not notices.claim_reminder(booking, now):
        return
    notice = notices.Notice(notices.REMINDER, booking.session, booking.user, booking)
    try:
        send(notice.message())
    except MailError as exc:
        notices.release_reminder(booking)
        outcome.failures.append(str(exc))
        return
    notices.record(notice, now)
    outcome.booking_reminders += 1


def _send_reminders(send: Callable[[EmailMessage], None], messages: list[Message], outcome: Outcome) -> None:
    """One batch of practitioners' reminders: claimed together, each released if its send fails."""
    for message in _claim_batch(PRACTITIONER, messages):
        try:
            send(practitioner_email(message))
        except MailError as exc:
            _release(PRACTITIONER, message.expiries)
            outcome.failures.append(str(exc))
            continue
        outcome.practitioner_reminders += 1


def _send_digests(send: Callable[[EmailMessage], None], messages: list[Message], outcome: Outcome) -> None:
    """One agency's digests, to each of its leads."""
    # All the agency's leads share the claim: each expiry is in one round of digests.
    expiries = [e for m in messages for e in m.expiries]
    if not _claim(LEAD, expiries):
        return
    sent = 0
    for message in messages:
        try:
            send(lead_email(message))
            sent += 1
        except MailError as exc:
            outcome.failures.append(str(exc))
    if not sent:
        _release(LEAD, expiries)
    outcome.lead_digests += sent
