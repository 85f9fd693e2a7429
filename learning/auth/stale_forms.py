"""Forms posted after their page expired: keep what the person sent, and let them carry on.

A CSRF token runs out (WTF_CSRF_TIME_LIMIT), or stops matching when the person signs in
again in another tab. Without help, they would get an error page and lose what they had
chosen. A page that can do better registers a `Recovery` for its endpoint:

- `render(**view_args)`: the same page again with a fresh token, what was sent already
  filled in and a short note; used while the person is still signed in;
- `resume(**view_args)`: the URL to come back to after signing in, keeping what was sent;
  used when the session itself has ended (learning/auth/sessions.py).

Nothing is saved from an expired form: the person looks at it again and submits once more.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from learning.access import PUBLIC


@dataclass(frozen=True)
class Recovery:
    render: Callable
    resume: Callable[..., str]


_recoveries: dict[str, Recovery] = {}


def recoverable(endpoint: str, render: Callable, resume: Callable[..., str]) -> None:
    _recoveries[endpoint] = Recovery(render, resume)


def _is_public(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_rule", None) == PUBLIC


def resume_url() -> str | None:
    """Where to send the person back to after they sign in again."""
    recovery = _recoveries.get(request.endpoint or "")  # None: no route matched
    if recovery and request.method == "POST":
        return recovery.resume(**(request.view_args or {}))
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return None  # a POST with nowhere to resume: the home page


def csrf_failed(error: CSRFError):
    """The handler for CSRFError. Access rules have not run yet (the check comes first),
    so this decides for itself who may see what."""
    endpoint = request.endpoint
    public = _is_public(endpoint)
    recovery = _recoveries.get(endpoint or "")
    if recovery and (public or current_user.is_authenticated):
        try:
            return recovery.render(**(request.view_args or {}))
        except HTTPException as exc:  # abort(404) and the like, raised inside this handler
            return current_app.handle_http_exception(exc)
    if not public and not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=resume_url()))
    return render_template("errors/400.html", error=error), 400


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_failed)
