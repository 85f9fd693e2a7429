"""Sending email: through the SMTP server in config (MAIL_SERVER and friends), or, when no
MAIL_SERVER is set, into the outbox folder (OUTBOX_DIR, default instance/outbox/) as .eml
files that any mail program opens. Use `send([message, ...])`, or `with mailer() as deliver:
deliver(message)` where a failure must stop the caller (reminders)."""
from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import after_this_request, current_app


class MailError(Exception):
    """The mail server could not be reached, or refused the message."""


def new_message(to: str, subject: str, body: str, html: str | None = None) -> EmailMessage:
    """A message to the address `to`, as plain text, and HTML too when given.

    Only the bare address and a subject the app wrote go into headers: never a person's
    name or anything else they typed, so no value can add a header. `to` must be one
    plain address (the `Address` check refuses line breaks, commas and display names)."""
    config = current_app.config
    sender = config["MAIL_FROM"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    if any(ch in subject for ch in "\r\n"):
        raise ValueError("a subject must be one line")
    recipient = Address(addr_spec=to)
    if recipient.display_name or str(recipient) != to:
        raise ValueError("a recipient must be a single plain email address")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=domain)
    # RFC 3834: sent by a program, so out-of-office replies are not sent back. Account
    # messages are transactional: no List-Unsubscribe, nothing to unsubscribe from.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send(messages: list[EmailMessage]) -> int:
    """Send, and say how many went. With a job queue (production), each message is queued
    for the worker, so a page that sends hundreds (a cancelled course) never waits on the
    mail server; the worker tries a failed send again, logging each failure
    (learning/jobs/tasks.py), and every queued message counts as sent. In immediate mode
    (tests, JOBS_IMMEDIATE) they go now, over one connection, as before: a failure is logged,
    not raised, and the page that sent them says what to do instead."""
    if not current_app.config.get("JOBS_IMMEDIATE"):
        from learning.jobs.tasks import deliver_mail

        for message in messages:
            deliver_mail(bytes(message))
        return len(messages)
    return send_now(messages)


def send_now(messages: list[EmailMessage]) -> int:
    """Send now, over one connection; how many went (a failure is logged, not raised)."""
    sent = 0
    try:
        with mailer() as deliver:
            for message in messages:
                deliver(message)
                sent += 1
    except MailError:
        current_app.logger.exception("mail not sent")
    return sent


def send_after_response(build: Callable[[], EmailMessage]) -> None:
    """Write and send a message once the response has gone, so neither the templates nor
    the mail server can show in the response time (the forgotten-password page answers
    alike for every address). `build` runs in an app context of its own."""
    # The app itself, not the proxy: the callback runs after this request's context has gone.
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def deliver() -> None:
        with app.app_context():
            try:
                message = build()
            except Exception:  # noqa: BLE001 - the response has gone; log it, as a failed send is
                app.logger.exception("mail not written")
                return
            send([message])

    @after_this_request
    def attach(response):
        response.call_on_close(deliver)
        return response


def destination() -> str:
    """Where mail goes, in words, for the command's summary."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return f"the SMTP server {config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    return f"{outbox_dir()} (no MAIL_SERVER is set, so messages are saved as .eml files)"


def outbox_dir() -> Path:
    return Path(current_app.config.get("OUTBOX_DIR") or Path(current_app.instance_path) / "outbox")


@contextmanager
def mailer() -> Iterator[Callable[[EmailMessage], None]]:
    """One connection (or one outbox folder) for a batch of messages."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)

        def save(message: EmailMessage) -> None:
            name = f"{datetime.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            (folder / name).write_bytes(bytes(message))

        yield save
        return

    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"])
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Could not connect to {destination()}: {exc}") from exc

    def send(message: EmailMessage) -> None:
        try:
            smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{destination()} did not accept the message to {message['To']}: {exc}") from exc

    try:
        yield send
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
