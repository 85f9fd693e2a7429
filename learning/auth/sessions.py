"""Signed-in sessions: a fresh one at sign-in, nothing left at sign-out, and two time limits.

Sessions are signed cookies, so any worker serves any user and there is no server-side
store to expire them. The limits are enforced from two timestamps kept inside the signed
cookie, which a client cannot change without breaking the signature:

- idle timeout: SESSION_IDLE_MINUTES since the last request;
- absolute lifetime: PERMANENT_SESSION_LIFETIME since sign-in, however active.

A signed cookie cannot be recalled, so signing out also bumps the person's
`User.session_epoch`: every session records the epoch it began in, and one from an older
epoch is over. A copied cookie is worthless after sign-out, on every device.

A signed-in session without these marks (one restored from a remember cookie, which this
app never issues, or one from before these limits) is ended too.
"""
from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import update

from learning import audit
from learning.access import PUBLIC
from learning.auth.stale_forms import resume_url
from learning.extensions import db
from learning.models import User

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
EPOCH = "epoch"


def clock() -> float:
    """Seconds since the epoch; tests replace it to move time on."""
    return time.time()


def begin(user) -> None:
    """Sign `user` in on a brand-new session: nothing from before sign-in survives (the
    CSRF secret, flashed messages, anything planted in a cookie before)."""
    session.clear()
    login_user(user)
    now = clock()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now
    session[EPOCH] = user.session_epoch


def end(everywhere: bool = False) -> None:
    """Sign out: empty the session, then let Flask-Login mark any remember cookie for
    deletion (it notes that in the session, so it must come after the clear).

    `everywhere`: also end every other session of this person (see module docstring)."""
    if everywhere and current_user.is_authenticated:
        db.session.execute(update(User).where(User.id == current_user.id)
                           .values(session_epoch=User.session_epoch + 1))
        db.session.commit()
    session.clear()
    logout_user()


def keep_this_session(user) -> None:
    """After the person's epoch moved on (a password change), carry the current session
    into the new epoch: every other session is over, this one is not."""
    session[EPOCH] = user.session_epoch


def expiry_reason(now: float) -> str | None:
    started, seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    if started is None or seen is None or session.get(EPOCH) is None:
        return "no sign-in time"
    if session[EPOCH] != current_user.session_epoch:
        return "signed out elsewhere"
    if now - started > current_app.permanent_session_lifetime.total_seconds():
        return "absolute lifetime"
    if now - seen > timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]).total_seconds():
        return "idle timeout"
    return None


def _message(reason: str) -> str:
    if reason == "idle timeout":
        minutes = current_app.config["SESSION_IDLE_MINUTES"]
        return (f"You were signed out because you had not used the service for {minutes} minutes. "
                "Sign in to carry on: answers you had already given are saved.")
    return "You were signed out because your session had ended. Sign in to carry on: answers you had already given are saved."


# Requests that neither read nor show anything personal: no need to load the user to check
# (or extend) their session.
UNCHECKED_ENDPOINTS = frozenset({"static", "health.health"})

# The last-seen time is rewritten at most this often. Rewriting it on every request would
# re-sign and re-send the session cookie with every response; to the minute is close
# enough for an idle limit counted in tens of minutes.
LAST_SEEN_STEP_SECONDS = 60


def enforce_limits():
    """before_request: end an expired session before anything else looks at it."""
    if request.endpoint in UNCHECKED_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = clock()
    reason = expiry_reason(now)
    if reason is None:
        if now - session[LAST_SEEN] >= LAST_SEEN_STEP_SECONDS:
            session[LAST_SEEN] = now
        return None
    audit.record(audit.SIGN_OUT, {"reason": reason}, actor=current_user._get_current_object())
    end()
    flash(_message(reason))
    view = current_app.view_functions.get(request.endpoint or "")  # None: no route matched
    if view is None or getattr(view, "access_rule", None) == PUBLIC:
        return None
    # Straight to sign-in, and back to this page (with any answer being sent) afterwards.
    return redirect(url_for("auth.sign_in", next=resume_url()))


def init_app(app: Flask) -> None:
    # Registered before CSRFProtect's check, so a form posted to an expired session is
    # treated as "signed out" (sign in and carry on), not as a bad request.
    app.before_request(enforce_limits)
