"""Invitation links: how a new account gets its first password.

A link carries a token signed with the SECRET_KEY (salt "invite") holding the user id and a
fingerprint of the account's current password hash. Setting a password changes the hash,
so the link dies once used; the signature's timestamp makes it expire after
INVITATION_VALID_DAYS (7). Nothing is stored: any worker can check any link.

There is no mailer yet: links are shown on screen after an import, on the person's page
while they have no password, and printed by the CLI when MAIL_SERVER is unset.
"""
from __future__ import annotations

import enum
import hashlib
import hmac

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .extensions import db
from .models import User

SALT = "invite"


class LinkProblem(str, enum.Enum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def fingerprint(user: User) -> str:
    """Changes whenever the password does, so a link works until a password is set. Keyed,
    so the token (readable, though signed) says nothing about the password hash."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"invite:{user.id}:{user.password_hash or ''}".encode(), hashlib.sha256).hexdigest()[:32]


def invitation_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "f": fingerprint(user)})


def invitation_url(user: User) -> str:
    """The full link. In a request it uses the address the page was asked for; outside one
    (the CLI) it uses BASE_URL."""
    token = invitation_token(user)
    if has_request_context():
        return url_for("auth.set_password", token=token, _external=True)
    with current_app.test_request_context():
        path = url_for("auth.set_password", token=token)
    return current_app.config["BASE_URL"].rstrip("/") + path


def max_age_seconds() -> int:
    return int(current_app.config["INVITATION_VALID_DAYS"]) * 24 * 60 * 60


def user_for_token(token: str) -> User | LinkProblem:
    """The account a link is for, or the reason it cannot be used."""
    try:
        data = _serializer().loads(token, max_age=max_age_seconds())
    except SignatureExpired:
        return LinkProblem.EXPIRED
    except BadSignature:
        return LinkProblem.INVALID
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        return LinkProblem.INVALID
    user = db.session.get(User, data["u"])
    if user is None or not user.active:
        return LinkProblem.INVALID
    if not hmac.compare_digest(fingerprint(user), data["f"]):
        return LinkProblem.USED
    return user


def needs_invitation(user: User) -> bool:
    return user.active and not user.password_hash
