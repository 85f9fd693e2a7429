"""Sign-in throttling with Flask-Limiter: at most LOGIN_FAILURES_PER_ACCOUNT failed
sign-ins per email address and LOGIN_FAILURES_PER_IP per IP address (both "10 per 5
minutes" by default, a moving window so there is no burst at a window's edge).

Only failures count. Before the view runs, Flask-Limiter tests whether one more failure
would still fit; if not, the request gets the 429 page and the password is not even
checked, so a right guess after the limit gains nothing. After the response, a hit is
deducted only when the view called `note_failure()` (Flask-Limiter's `deduct_when`).

Storage is RATELIMIT_STORAGE_URI: Redis in production, so the count is shared by every
gunicorn worker and host; memory otherwise (per process, fine for one developer).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request

from .extensions import limiter


def _account_key() -> str:
    # Stored lower-cased like User.email, so "PAT@x" and "pat@x" share one count; cut to
    # the longest possible address so a huge field cannot make a huge key.
    return "account:" + request.form.get("email", "").strip().lower()[:320]


def _ip_key() -> str:
    return "ip:" + (request.remote_addr or "unknown")


def note_failure() -> None:
    g.sign_in_failed = True


def _failed(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def sign_in_limits(view: Callable) -> Callable:
    """Decorate the sign-in view (inside its access rule)."""
    per_account = limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], key_func=_account_key,
                                methods=["POST"], deduct_when=_failed, scope="account")
    per_ip = limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_IP"], key_func=_ip_key,
                           methods=["POST"], deduct_when=_failed, scope="ip")
    return per_ip(per_account(view))
