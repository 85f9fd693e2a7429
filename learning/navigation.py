"""The service navigation, by role, and the Manage page that groups the coordinator's and
admin's pages so the navigation fits one row at desktop widths."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from learning.access import role_required
from learning.models import Role

bp = Blueprint("navigation", __name__)

# (endpoint, text, endpoint prefixes of the pages under it)
_LEARNING = [("learner.my_learning", "My learning", ("learner.", "certificates.", "external.index", "external.new")),
             ("courses.index", "Courses", ("courses.index", "courses.session", "courses.cancel"))]
_DASHBOARD = [("compliance.home", "Dashboard", ("dashboards.", "external.queue", "external.review"))]
# Import staff is a button on the lead's My staff page, and highlights My staff.
_LEADING = [("people.users", "My staff", ("people.user", "people.import"))]
_ACCOUNT = [("account.home", "Your account", ("account.",))]


@dataclass(frozen=True)
class ManagedPages:
    """A group of pages on the Manage page: where it goes, what it is for, who sees it."""
    endpoint: str
    text: str
    description: str
    under: tuple[str, ...]
    minimum: Role = Role.COORDINATOR


MANAGED = [
    ManagedPages("people.users", "People", "Everyone's accounts and learning records: create an account, "
                 "change a role, remove a person's data.", ("people.user", "people.new_user", "data_protection.")),
    ManagedPages("courses.manage", "Manage courses", "Add courses and their sessions, take registers and "
                 "record who did not attend.", ("courses.manage", "courses.new_", "courses.course",
                                                "courses.register", "courses.non_attendance")),
    ManagedPages("people.agencies", "Agencies and teams", "The partnership's agencies, their sectors and "
                 "their teams.", ("people.agenc", "people.team")),
    ManagedPages("people.import_staff", "Import staff", "Add or update many staff accounts at once from a "
                 "spreadsheet.", ("people.import",)),
    ManagedPages("audit.events", "Audit trail", "Who did what, and when: sign-ins, downloads and changes "
                 "to people and records.", ("audit.",), Role.ADMIN),
]
_MANAGE = [("navigation.manage", "Manage", ("navigation.", *(prefix for page in MANAGED for prefix in page.under)))]


def _items_for(person) -> list[tuple[str, str, tuple[str, ...]]]:
    items = list(_LEARNING)
    if person.has_role(Role.AGENCY_LEAD):
        items += _DASHBOARD
    if person.has_role(Role.COORDINATOR):
        items += _MANAGE
    elif person.has_role(Role.AGENCY_LEAD):
        items += _LEADING
    return items + _ACCOUNT


@bp.route("/manage")
@role_required(Role.COORDINATOR)
def manage():
    pages = [page for page in MANAGED if current_user.has_role(page.minimum)]
    return render_template("manage.html", pages=pages)


def _menu(person) -> tuple[list[tuple[str, str, str, tuple[str, ...]]], str]:
    """The person's items with their addresses, and the sign-out address. Every page shows
    the navigation, and the addresses only change with the role and where the app is
    mounted, so they are worked out once per role and mount point rather than on every page."""
    kept = current_app.extensions.setdefault("navigation", {})
    key = (person.role, request.script_root)
    if key not in kept:
        kept[key] = ([(url_for(endpoint), text, endpoint, under) for endpoint, text, under in _items_for(person)],
                     url_for("auth.sign_out"))
    return kept[key]


def layout_links() -> dict[str, str]:
    """The addresses every page's layout shows (home, the built assets), worked out once per
    mount point like the navigation's."""
    kept = current_app.extensions.setdefault("layout_links", {})
    if request.script_root not in kept:
        kept[request.script_root] = {"home": url_for("learner.home"), "assets": url_for("static", filename="dist")}
    return kept[request.script_root]


def nav_items() -> list[dict]:
    person = current_user._get_current_object()
    if not person.is_authenticated:
        return [{"href": url_for("auth.sign_in"), "text": "Sign in", "active": request.endpoint == "auth.sign_in"}]
    here = request.endpoint or ""
    items, _sign_out = _menu(person)
    return [{"href": href, "text": text, "active": here == endpoint or bool(under and here.startswith(under))}
            for href, text, endpoint, under in items]


def sign_out_item() -> Markup:
    """The last item of the service navigation when signed in. Sign-out changes state, so it
    is a POST with a CSRF token: a button styled as a navigation link, in its own list item
    (a form may not sit inside the <span> the navigation macro gives a non-link item)."""
    person = current_user._get_current_object()
    if not person.is_authenticated:
        return Markup("")
    _items, action = _menu(person)
    return Markup(  # noqa: S704  # the two values are escaped where they go in
        '<li class="govuk-service-navigation__item app-service-navigation__item--end">'
        f'<form method="post" action="{escape(action)}" class="app-inline-form">'
        f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        '<button class="govuk-service-navigation__link app-link-button" type="submit">Sign out</button></form></li>'
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(layout_links)
    app.add_template_global(nav_items)
    app.add_template_global(sign_out_item)
    app.add_template_global(Role, "Role")
