"""The signed-in person, as Flask-Login's `current_user`: loaded on every signed-in request."""
from __future__ import annotations

from dataclasses import dataclass, fields

from flask_login import UserMixin
from sqlalchemy import bindparam, select

from learning.database import run
from learning.models import HasRole, User


@dataclass(frozen=True, slots=True, eq=False)
class SignedIn(HasRole, UserMixin):
    """The signed-in person's own values (never the password hash), read by name from one
    SELECT of their `User` row.

    Nothing a request does with the signed-in person needs the ORM model: services take
    their id, role and agency, and templates show their name; a page that changes the person
    loads their `User` by id. Loading the model on every request cost more than any other
    part of a question page. UserMixin compares people by id (eq=False keeps its __eq__), so
    a SignedIn equals the `User` with the same id."""

    id: int
    email: str
    name: str
    role: str
    agency_id: int | None
    team_id: int | None
    job_title: str | None
    session_epoch: int


# A deactivated account loses access at once, not when its session runs out. One statement
# object for every request, so SQLAlchemy works out its cache key once.
_ACTIVE_PERSON = select(*(User.__table__.c[field.name] for field in fields(SignedIn))).where(
    User.id == bindparam("user_id"), User.active.is_(True))


def load(user_id: str) -> SignedIn | None:
    row = run(_ACTIVE_PERSON, {"user_id": int(user_id)}).first()
    return SignedIn(**row._mapping) if row else None
