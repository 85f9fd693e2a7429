"""Scheduled reports: a coordinator (for the partnership or one agency) or an agency lead (for
their own agency) subscribes a list of email addresses to the compliance workbook, every
week or every month. `send_due` (the `flask --app app send-scheduled-reports` command, from
cron or the worker's periodic task) builds each one that is due and emails it: attached
when under SCHEDULED_REPORT_MAX_BYTES (10 MB), otherwise a link to sign in and download it.
Every email carries a link that takes its address off the list. A subscription whose owner
can no longer see its scope (deactivated, moved, no longer a lead) stops, and says why.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from learning import audit
from learning.auth.signed_in import SignedIn
from learning.compliance import Scope, compliance_workbook
from learning.compliance.status import add_months
from learning.extensions import db
from learning.links import absolute_url
from learning.mail import mailer, new_message
from learning.models import Agency, ReportSubscription, Role, User, utcnow
from learning.people.accounts import AccountError, clean_email

FREQUENCIES = {"weekly": "Every week", "monthly": "Every month"}
MAX_RECIPIENTS = 20
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
LOST_ACCESS = "Its owner can no longer see these figures"


class SubscriptionError(ValueError):
    """What is wrong with a subscription's details, in words for the person."""


def parse_recipients(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or lines; each checked, duplicates dropped."""
    found: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        if not raw:
            continue
        try:
            address = clean_email(raw)
        except AccountError:
            raise SubscriptionError(f"Enter each email address in the correct format, like name@example.org: "
                                    f"'{raw[:60]}' is not") from None
        if address not in found:
            found.append(address)
    if not found:
        raise SubscriptionError("Enter at least one email address")
    if len(found) > MAX_RECIPIENTS:
        raise SubscriptionError(f"Enter {MAX_RECIPIENTS} email addresses or fewer")
    return found


def following(day: date, frequency: str) -> date:
    if frequency == "weekly":
        return day + timedelta(days=7)
    return add_months(datetime.combine(day, datetime.min.time()), 1).date()


def may_see(owner: User | SignedIn, agency_id: int | None) -> bool:
    """Whether `owner` may still have this scope's workbook: a coordinator any scope, an
    agency lead their own agency only; nobody who has been deactivated (a signed-in person
    is active, or they would not be signed in)."""
    if not getattr(owner, "active", True) or not owner.has_role(Role.AGENCY_LEAD):
        return False
    if owner.has_role(Role.COORDINATOR):
        return True
    return agency_id is not None and agency_id == owner.agency_id


def subscribe(owner: User | SignedIn, agency_id: int | None, frequency: str, recipients: list[str],
              today: date | None = None) -> ReportSubscription:
    """A new subscription; its first workbook goes at the next run."""
    if frequency not in FREQUENCIES:
        raise SubscriptionError("Select how often the workbook is sent")
    if not may_see(owner, agency_id):
        raise SubscriptionError("Select an agency you can see")
    sub = ReportSubscription(owner_id=owner.id, agency_id=agency_id, frequency=frequency,
                             recipients="\n".join(recipients), next_due=today or utcnow().date())
    db.session.add(sub)
    db.session.flush()
    audit.record("report_subscribed", {"subscription": sub.id, "agency": agency_id or "all", "frequency": frequency,
                                       "recipients": recipients}, commit=False)
    db.session.commit()
    return sub


def owned(owner: User | SignedIn) -> list[ReportSubscription]:
    """The person's subscriptions that still run, newest first."""
    return list(db.session.scalars(
        select(ReportSubscription).where(ReportSubscription.owner_id == owner.id, ReportSubscription.ended_at.is_(None))
        .order_by(ReportSubscription.created_at.desc(), ReportSubscription.id.desc())))


def end(sub: ReportSubscription, reason: str, actor: User | None = None) -> None:
    sub.ended_at = utcnow()
    sub.end_reason = reason[:200]
    audit.record("report_unsubscribed", {"subscription": sub.id, "reason": reason}, actor=actor, commit=False)
    db.session.commit()


# The link in each email: signed (not stored), naming the subscription and the address.
def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="scheduled-report-unsubscribe")


def stop_token(sub: ReportSubscription, address: str) -> str:
    return _signer().dumps([sub.id, address])


def from_stop_token(token: str) -> tuple[ReportSubscription, str] | None:
    """The running subscription and the address a link names, or None (a bad link, an
    address already taken off, a subscription ended)."""
    try:
        sub_id, address = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    sub = db.session.get(ReportSubscription, sub_id) if isinstance(sub_id, int) else None
    if sub is None or sub.ended_at is not None or address not in sub.addresses:
        return None
    return sub, address


def remove_address(sub: ReportSubscription, address: str) -> None:
    """Take one address off the list (from the link in its email); the last one ends it."""
    left = [a for a in sub.addresses if a != address]
    audit.record("report_recipient_removed", {"subscription": sub.id, "address": address}, commit=False)
    if left:
        sub.recipients = "\n".join(left)
        db.session.commit()
    else:
        end(sub, "Its last address unsubscribed")


def scope_name(sub: ReportSubscription) -> str:
    return sub.agency.name if sub.agency else "every agency"


@dataclass
class Sent:
    sent: int = 0  # subscriptions sent
    emails: int = 0
    linked: int = 0  # too big to attach: sent as a link
    stopped: list[int] = field(default_factory=list)  # ended: the owner lost access


def send_due(now: datetime | None = None) -> Sent:
    """Build and email every subscription due today or before. A mail failure stops the run
    (the rest stay due and go at the next); a workbook is built once per subscription."""
    now = now or utcnow()
    result = Sent()
    due = db.session.scalars(select(ReportSubscription).where(
        ReportSubscription.ended_at.is_(None), ReportSubscription.next_due <= now.date())
        .order_by(ReportSubscription.id)).all()
    for sub in due:
        if not may_see(sub.owner, sub.agency_id):
            end(sub, LOST_ACCESS)
            result.stopped.append(sub.id)
            continue
        emails, attached = _send_one(sub, now)
        sub.last_sent_at = now
        sub.next_due = following(max(sub.next_due, now.date()), sub.frequency)
        audit.record("scheduled_report_sent", {"subscription": sub.id, "emails": emails, "attached": attached},
                     commit=False)
        db.session.commit()
        result.sent += 1
        result.emails += emails
        result.linked += 0 if attached else 1
    return result


def _send_one(sub: ReportSubscription, now: datetime) -> tuple[int, bool]:
    scope = Scope(agency_ids=(sub.agency_id,) if sub.agency_id else None)
    with tempfile.TemporaryFile() as out:
        compliance_workbook.build(out, scope, f"Scheduled report for {sub.owner.email}",
                                  current_app.config["EXPIRING_WINDOW_DAYS"], now=now)
        size = out.seek(0, 2)  # the end: the workbook's size
        attached = size <= current_app.config["SCHEDULED_REPORT_MAX_BYTES"]
        out.seek(0)
        data = out.read() if attached else b""
    name = f"compliance-{now.date().isoformat()}.xlsx"
    sent = 0
    with mailer() as deliver:
        for address in sub.addresses:
            message = new_message(address, f"Compliance workbook for {scope_name(sub)}: {now:%-d %b %Y}",
                                  _body(sub, address, attached))
            # Mail programs show their own "Unsubscribe" for this: the same page as the link.
            message["List-Unsubscribe"] = f"<{_stop_url(sub, address)}>"
            if attached:
                message.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
            deliver(message)
            sent += 1
    return sent, attached


def _stop_url(sub: ReportSubscription, address: str) -> str:
    # absolute_url, not url_for: the command and the worker run without a request.
    return absolute_url("compliance.scheduled_report_stop", token=stop_token(sub, address))


def _body(sub: ReportSubscription, address: str, attached: bool) -> str:
    download = absolute_url("compliance.compliance_export", agency=sub.agency_id)
    stop = _stop_url(sub, address)
    how = ("The workbook is attached." if attached else
           f"The workbook is too big to attach. Sign in and download it here:\n{download}")
    often = FREQUENCIES[sub.frequency].lower()
    return "\n".join([
        f"This is the compliance workbook for {scope_name(sub)}, sent {often} at the request of {sub.owner.name}.",
        "",
        how,
        "",
        "It holds staff names and their learning records: keep it as your organisation's rules for "
        f"{current_app.config['PROTECTIVE_MARKING']} information say.",
        "",
        "To stop getting it at this address:",
        stop,
    ])


def agencies_for(viewer: User | SignedIn) -> list[tuple[int, str]]:
    """The scopes `viewer` may subscribe to: (0, every agency) and each agency for a
    coordinator; their own agency for an agency lead."""
    if viewer.has_role(Role.COORDINATOR):
        rows = db.session.execute(select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name))
        return [(0, "Every agency (the partnership)")] + [(a, n) for a, n in rows]
    agency = db.session.get(Agency, viewer.agency_id) if viewer.agency_id else None
    return [(agency.id, agency.name)] if agency else []
