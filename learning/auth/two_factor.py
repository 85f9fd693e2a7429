"""Two-factor sign-in: time-based codes (TOTP, RFC 6238, with pyotp) and recovery codes.

- Required for the roles in REQUIRE_2FA_FOR (coordinators and admins by default, as they
  see every agency's staff); anyone else may turn it on from their account page.
- A code is accepted for the time-step before, at or after now (pyotp's valid_window=1: a
  phone's clock may be out by up to 30 seconds), and only for a step later than the last
  one accepted (`User.totp_last_step`), so each code works once.
- Ten recovery codes, shown once at set-up, each working once. Only a salted hash of each
  is kept, made by werkzeug like a password hash: a database copy gives nothing away, and
  nothing depends on the SECRET_KEY (rotating it does not lock anyone out). Checking walks
  the person's unused codes (ten at most), and only on the rare recovery sign-in.
"""
from __future__ import annotations

import secrets

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from learning.extensions import db
from learning.models import RecoveryCode, User, utcnow

RECOVERY_CODES = 10
# No 0/o, 1/l/i: codes are read off paper and typed in.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
STEP_SECONDS = 30


def required_for(role: str) -> bool:
    return role in current_app.config["REQUIRE_2FA_FOR"]


def enrolled(user) -> bool:
    return bool(user.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=current_app.config["PARTNERSHIP_NAME"])


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG: drawn here, so the secret never goes to another service.
    Marked up as an image with a text alternative (the secret is also shown as text)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#0b0c0c", light="#ffffff",
                                                 title="QR code for your authenticator app")
    # segno writes the SVG from the otpauth URI alone (our secret and the email), escaped.
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1))  # noqa: S704


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def matching_step(secret: str, code: str, now: float, last_step: int | None = None) -> int | None:
    """The time-step `code` belongs to, if it is right within one step either side of now
    and later than `last_step`; else None."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        # verify() with valid_window=0 at the step's own time: the same comparison as
        # verify(valid_window=1) at now, but it tells us which step matched.
        if totp.verify(code, for_time=step * STEP_SECONDS, valid_window=0):
            return step
    return None


def accept_totp(user: User, code: str, now: float) -> bool:
    """Check a code at sign-in; if right, note its step so it cannot be used again. The
    caller commits."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def looks_like_totp(code: str) -> bool:
    code = _normalise(code)
    return len(code) == 6 and code.isdigit()


def enrol(user: User, secret: str, step: int) -> list[str]:
    """Turn two-factor sign-in on with a confirmed secret; returns new recovery codes."""
    user.totp_secret = secret
    user.totp_last_step = step
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with ten new ones, returned to show once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    method = current_app.config["PASSWORD_HASH_METHOD"]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(code, method=method))
                       for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one of the person's unused recovery codes, if `code` is one. The caller commits."""
    code = _normalise(code)
    if len(code) != 10:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                           RecoveryCode.used_at.is_(None))).all()
    for row in unused:
        if check_password_hash(row.code_hash, code):
            row.used_at = utcnow()
            return True
    return False


def recovery_codes_left(user) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())


def turn_off(user: User) -> None:
    """Remove the second factor (the person's choice where it is optional, or an admin's
    reset); the person sets it up again at their next sign-in if their role needs it."""
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
