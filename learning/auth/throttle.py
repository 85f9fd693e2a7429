"""Throttling with Flask-Limiter. Sign-in, its second step (the two-factor code) and
changing a password (the current one is checked) count failures: at most LOGIN_FAILURES_PER_ACCOUNT failed
sign-ins per email address and LOGIN_FAILURES_PER_IP per IP address (both "10 per 5
minutes" by default, a moving window so there is no burst at a window's edge).

Only failures count. Before the view runs, Flask-Limiter tests whether one more failure
would still fit; if not, the request gets the 429 page and the password is not even
checked, so a right guess after the limit gains nothing. After the response, a hit is
deducted only when the view called `note_failure()` (Flask-Limiter's `deduct_when`).

The forgotten-password form counts every request instead (`request_limits`).

Storage is RATELIMIT_STORAGE_URI: Redis in production, so the count is shared by every
gunicorn worker and host; memory otherwise (per process, fine for one developer).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request

from learning.extensions import limiter


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


def failure_limits(account_key: Callable[[], str] = _account_key) -> Callable[[Callable], Callable]:
    """Decorate a view that checks a secret (inside its access rule). Every such view counts
    against one limit per account and one per IP address: a wrong password at sign-in and a
    wrong code at its second step are both guesses at the same account."""

    def decorate(view: Callable) -> Callable:
        per_account = limiter.shared_limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], scope="account",
                                           key_func=account_key, methods=["POST"], deduct_when=_failed)
        per_ip = limiter.shared_limit(lambda: current_app.config["LOGIN_FAILURES_PER_IP"], scope="ip",
                                      key_func=_ip_key, methods=["POST"], deduct_when=_failed)
        return per_ip(per_account(view))

    return decorate


sign_in_limits = failure_limits()


def account_key_for(email: str) -> str:
    """The per-account key for an address known to the view (the second sign-in step)."""
    return "account:" + email.strip().lower()[:320]


def request_limits(view: Callable) -> Callable:
    """Decorate the forgotten-password view: every request counts, per email address typed
    and per IP address, whether or not an account has that address, so the limit says
    nothing about which addresses have one."""
    per_email = limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_EMAIL"], key_func=_account_key,
                              methods=["POST"], scope="reset-email")
    per_ip = limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_IP"], key_func=_ip_key,
                           methods=["POST"], scope="reset-ip")
    return per_ip(per_email(view))
