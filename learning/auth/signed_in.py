"""The signed-in person, as Flask-Login's `current_user`: their `User`, loaded on every
signed-in request."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import User


def load(user_id: str) -> User | None:
    # A deactivated account loses access at once, not when its session runs out.
    return db.session.scalar(select(User).where(User.id == int(user_id), User.active.is_(True)))
