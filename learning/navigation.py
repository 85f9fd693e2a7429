"""The service navigation, by role."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from .models import Role


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return [{"href": url_for("auth.sign_in"), "text": "Sign in", "active": request.endpoint == "auth.sign_in"}]
    # (endpoint, text, endpoint prefixes of the pages under it)
    items = [("learner.my_learning", "My learning", ("learner.", "certificates.", "external.index", "external.new")),
             ("courses.index", "Courses", ("courses.index", "courses.session", "courses.cancel"))]
    if current_user.has_role(Role.AGENCY_LEAD):
        items.append(("dashboards.home", "Dashboard", ("dashboards.", "external.queue", "external.review")))
    if current_user.has_role(Role.COORDINATOR):
        items += [("courses.manage", "Manage courses", ("courses.manage", "courses.new_", "courses.course",
                                                         "courses.register", "courses.non_attendance")),
                  ("admin.agencies", "Agencies", ("admin.agenc", "admin.team")),
                  ("admin.users", "People", ("admin.user", "admin.new_user", "data_protection.")),
                  ("admin.import_staff", "Import staff", ("admin.import",))]
    elif current_user.has_role(Role.AGENCY_LEAD):
        items += [("admin.users", "My staff", ("admin.user",)),
                  ("admin.import_staff", "Import staff", ("admin.import",))]
    if current_user.has_role(Role.ADMIN):
        items.append(("audit_views.events", "Audit trail", ("audit_views.",)))
    here = request.endpoint or ""
    items = [
        {"href": url_for(endpoint), "text": text, "active": here == endpoint or bool(under and here.startswith(under))}
        for endpoint, text, under in items
    ]
    return items


def sign_out_item() -> str:
    """The last item of the service navigation when signed in. Sign-out changes state, so it
    is a POST with a CSRF token: a button styled as a navigation link, in its own list item
    (a form may not sit inside the <span> the navigation macro gives a non-link item)."""
    if not current_user.is_authenticated:
        return ""
    from flask_wtf.csrf import generate_csrf
    from markupsafe import escape

    return (
        '<li class="govuk-service-navigation__item app-service-navigation__item--end">'
        f'<form method="post" action="{url_for("auth.sign_out")}" class="app-inline-form">'
        f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        '<button class="govuk-service-navigation__link app-link-button" type="submit">Sign out</button></form></li>'
    )


def init_app(app: Flask) -> None:
    app.add_template_global(nav_items)
    app.add_template_global(sign_out_item)
    app.add_template_global(Role, "Role")
