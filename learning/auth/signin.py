"""Checking an email address and password. The view says only "right" or "wrong"; the
reason goes to the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from learning.extensions import db
from learning.models import User


@dataclass(frozen=True)
class Outcome:
    user: User | None
    reason: str | None  # why it failed, for the audit trail; None on success

    @property
    def ok(self) -> bool:
        return self.reason is None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("no account has this password")


def authenticate(email: str, password: str) -> Outcome:
    user = db.session.scalar(select(User).where(User.email == User.normalise_email(email)))
    if user is None:
        # Spend the same time as checking a real password, so the response time does not
        # tell anyone which email addresses have accounts.
        check_password_hash(_dummy_hash(), password)
        return Outcome(None, "unknown email")
    if not user.check_password(password):
        return Outcome(user, "wrong password")
    if not user.active:
        return Outcome(user, "account deactivated")
    return Outcome(user, None)
