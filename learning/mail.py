"""Sending email: through the SMTP server in config (MAIL_SERVER and friends), or, when no
MAIL_SERVER is set, into the outbox folder (OUTBOX_DIR, default instance/outbox/) as .eml
files that any mail program opens. Use `with mailer() as send: send(message)`."""
from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app


class MailError(Exception):
    """The mail server could not be reached, or refused the message."""


def new_message(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    sender = config["MAIL_FROM"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=domain)
    # RFC 3834: sent by a program, so out-of-office replies are not sent back.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


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
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
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
