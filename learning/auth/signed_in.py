"""The signed-in person, as Flask-Login's `current_user`: their `User`, loaded on every
signed-in request."""
from __future__ import annotations

from learning.extensions import db
from learning.models import User


def load(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    # A deactivated account loses access at once, not when its session runs out.
    return user if user is not None and user.active else None
