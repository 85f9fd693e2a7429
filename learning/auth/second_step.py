"""Between the password and the code: who has given a right password and is not yet signed
in, kept in the (signed) session cookie for a few minutes. Nobody is signed in until the
code is right, so every page but /sign-in/code treats them as signed out.

Also the rule that someone whose role needs two-factor sign-in, and has not set it up,
can reach nothing but the set-up page (and sign-out) until they do.
"""
from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user

from learning.auth import sessions
from learning.auth.throttle import account_key_for
from learning.extensions import db
from learning.models import User

PENDING = "pending_sign_in"
MUST_ENROL = "must_set_up_two_factor"
PENDING_SECONDS = 5 * 60


def begin(user: User, destination: str) -> None:
    session.clear()
    session[PENDING] = {"user": user.id, "email": user.email, "epoch": user.session_epoch,
                        "at": sessions.clock(), "next": destination}


def pending_user() -> User | None:
    """The person at the second step, unless that was too long ago, or they have since
    been deactivated or signed out everywhere (a password reset, say)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or sessions.clock() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_epoch != pending.get("epoch") or not user.totp_secret:
        session.pop(PENDING, None)
        return None
    return user


def destination() -> str:
    return session.get(PENDING, {}).get("next") or url_for("learner.home")


def account_key() -> str:
    """The throttling key at the second step: the same count as wrong passwords for this
    account. Without a pending sign-in there is nothing to guess at; one shared key."""
    pending = session.get(PENDING)
    return account_key_for(pending.get("email", "") if isinstance(pending, dict) else "")


def require_enrolment() -> None:
    session[MUST_ENROL] = True


def enrolled() -> None:
    session.pop(MUST_ENROL, None)


# Pages open to someone who must set up two-factor sign-in first.
_ALLOWED = frozenset({"account.two_factor", "auth.sign_out", "static", "health.health"})


def _enrol_first():
    if (session.get(MUST_ENROL) and request.endpoint not in _ALLOWED
            and current_user.is_authenticated):
        flash("Set up two-factor sign-in to carry on: your role needs it.")
        return redirect(url_for("account.two_factor"))
    return None


def init_app(app: Flask) -> None:
    app.before_request(_enrol_first)
