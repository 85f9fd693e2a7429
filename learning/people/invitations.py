"""Links sent by email: the invitation that gives a new account its first password, and the
forgotten-password link. Both work once, for a limited time, and only the newest one sent.

A link carries a token signed with the SECRET_KEY (a salt per kind of link) holding the user
id and a fingerprint of the account's current password hash and of when the latest link of
that kind was sent. Setting a password changes the hash, so a link dies once used; sending a
new link changes the time, so the older one dies; the signature's timestamp makes it expire
(INVITATION_VALID_DAYS, PASSWORD_RESET_VALID_MINUTES). Nothing else is stored: any worker
can check any link.

Invitations are emailed (accounts.send_invitations); a person's page also shows their link
while they have no password, for a lead to copy.
"""
from __future__ import annotations

import enum
import hashlib
import hmac
import time
from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from learning.extensions import db
from learning.models import User


class LinkProblem(str, enum.Enum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


def clock() -> float:
    """Seconds since the epoch, for signing and checking links; tests replace it."""
    return time.time()


class _Signer(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock())


@dataclass(frozen=True)
class LinkKind:
    salt: str
    endpoint: str
    sent_at: str  # the User column holding when the latest link of this kind was sent

    def max_age_seconds(self) -> int:
        config = current_app.config
        if self is INVITATION:
            return int(config["INVITATION_VALID_DAYS"]) * 24 * 60 * 60
        return int(config["PASSWORD_RESET_VALID_MINUTES"]) * 60


INVITATION = LinkKind(salt="invite", endpoint="auth.set_password", sent_at="invitation_sent_at")
PASSWORD_RESET = LinkKind(salt="password-reset", endpoint="auth.reset_password", sent_at="password_reset_sent_at")


def _serializer(kind: LinkKind) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=kind.salt, signer=_Signer)


def fingerprint(user: User, kind: LinkKind = INVITATION) -> str:
    """Changes whenever the password does, or a newer link of this kind is sent. Keyed, so
    the token (readable, though signed) says nothing about the password hash."""
    key = current_app.config["SECRET_KEY"].encode()
    sent = getattr(user, kind.sent_at)
    text = f"{kind.salt}:{user.id}:{user.password_hash or ''}:{sent.isoformat() if sent else ''}"
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def token_for(user: User, kind: LinkKind) -> str:
    return _serializer(kind).dumps({"u": user.id, "f": fingerprint(user, kind)})


def link_for(user: User, kind: LinkKind) -> str:
    """The full link. In a request it uses the address the page was asked for; outside one
    (the CLI) it uses BASE_URL."""
    token = token_for(user, kind)
    if has_request_context():
        return url_for(kind.endpoint, token=token, _external=True)
    with current_app.test_request_context():
        path = url_for(kind.endpoint, token=token)
    return current_app.config["BASE_URL"].rstrip("/") + path


def user_for(token: str, kind: LinkKind) -> tuple[User | None, LinkProblem | None]:
    """The account a link is for, or the reason it cannot be used. A deactivated or erased
    account's link is as good as no link."""
    try:
        data = _serializer(kind).loads(token, max_age=kind.max_age_seconds())
    except SignatureExpired:
        return None, LinkProblem.EXPIRED
    except BadSignature:
        return None, LinkProblem.INVALID
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        return None, LinkProblem.INVALID
    user = db.session.get(User, data["u"])
    if user is None or not user.active or user.erased_at is not None:
        return None, LinkProblem.INVALID
    if not hmac.compare_digest(fingerprint(user, kind), data["f"]):
        return None, LinkProblem.USED
    return user, None


# The invitation, under the names the rest of the app has used since before resets.
def invitation_token(user: User) -> str:
    return token_for(user, INVITATION)


def invitation_url(user: User) -> str:
    return link_for(user, INVITATION)


def user_for_token(token: str) -> tuple[User | None, LinkProblem | None]:
    return user_for(token, INVITATION)


def max_age_seconds() -> int:
    return INVITATION.max_age_seconds()


def needs_invitation(user: User) -> bool:
    return user.active and not user.password_hash
