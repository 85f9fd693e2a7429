"""The signed-in person, as Flask-Login's `current_user`: loaded on every signed-in request."""
from __future__ import annotations

from functools import cache

from flask_login import UserMixin
from sqlalchemy import bindparam, select

from ..database import run_unflushed
from ..models import HasRole, User

# Everything a request reads from the signed-in person; never the password hash.
COLUMNS = ("id", "email", "name", "role", "agency_id", "team_id", "job_title", "session_epoch")


class SignedIn(HasRole, UserMixin):
    """The signed-in person's own values, read with one SELECT built once.

    Loading the ORM `User` on every request is a large share of a small page's work, and
    nothing a request does with the signed-in person needs the model: services take their id, role and agency, and
    templates show their name. A page that changes the person loads their `User` by id.
    UserMixin compares people by id, so a SignedIn equals the `User` with the same id."""

    def __init__(self, row) -> None:
        for name in COLUMNS:
            setattr(self, name, getattr(row, name))

    def __repr__(self) -> str:
        return f"<SignedIn {self.id}>"


@cache
def _active_user():
    # A deactivated account loses access at once, not when its session runs out. Table
    # columns, not the model's: no ORM work per request.
    table = User.__table__
    return select(*(table.c[name] for name in COLUMNS)).where(
        table.c.id == bindparam("user_id"), table.c.active.is_(True))


def load(user_id: str) -> SignedIn | None:
    row = run_unflushed(_active_user(), {"user_id": int(user_id)}).first()
    return SignedIn(row) if row else None
