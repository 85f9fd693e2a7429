"""The service navigation, by role."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from .models import Role


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return [{"href": url_for("auth.sign_in"), "text": "Sign in", "active": request.endpoint == "auth.sign_in"}]
    items = [("learner.my_learning", "My learning")]
    if current_user.has_role(Role.COORDINATOR):
        items.append(("admin.users", "People"))
    if current_user.has_role(Role.ADMIN):
        items.append(("audit_views.events", "Audit trail"))
    items = [
        {"href": url_for(endpoint), "text": text, "active": request.endpoint == endpoint}
        for endpoint, text in items
    ]
    items.append({"html": _sign_out_button(), "href": None})
    return items


def _sign_out_button() -> str:
    # Sign-out changes state, so it is a POST with a CSRF token, styled as a link.
    from flask_wtf.csrf import generate_csrf
    from markupsafe import escape

    return (
        f'<form method="post" action="{url_for("auth.sign_out")}" class="app-inline-form">'
        f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        '<button class="govuk-service-navigation__link app-link-button" type="submit">Sign out</button></form>'
    )


def init_app(app: Flask) -> None:
    app.add_template_global(nav_items)
