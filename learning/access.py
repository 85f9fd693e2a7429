"""Who may see what: every view declares its rule here, and every query of people goes
through `visible_users`.

- `public`: anyone, signed in or not (sign-in page, certificate verification).
- `signed_in`: any active account; the view then limits data to the person's own.
- `role_required(Role.X)`: X or any role above it (roles are cumulative).

A rule is the whole rule: a view that is for admins says `role_required(Role.ADMIN)`,
even when it then looks the person up in the viewer's scope. Views that take an id narrow
further with `user_in_scope_or_404` / `manageable_user_or_404` (404 outside the viewer's
scope, so another agency's staff look like ids that do not exist).

tests/test_access.py walks app.url_map as every role and checks each answer against one
table (route and method -> answer per role); a route without a row fails it.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from learning.extensions import db
from learning.models import Role, User

PUBLIC = "public"
SIGNED_IN = "signed_in"


def _mark(view: Callable, rule: str) -> Callable:
    view.access_rule = rule  # type: ignore[attr-defined]  # a function takes attributes; read with getattr
    return view


def public(view: Callable) -> Callable:
    return _mark(view, PUBLIC)


def signed_in(view: Callable) -> Callable:
    return _mark(login_required(view), SIGNED_IN)


def role_required(minimum: Role) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.has_role(minimum):
                abort(403)
            return view(*args, **kwargs)

        return _mark(login_required(wrapper), f"role:{minimum.value}")

    return decorator


def visible_users(viewer: User) -> Select:
    """The people `viewer` may see: themselves; their agency's staff for an agency lead;
    everyone for coordinators and admins. Add filters to this, never start from User."""
    query = select(User)
    if viewer.has_role(Role.COORDINATOR):
        return query
    if viewer.role_enum is Role.AGENCY_LEAD and viewer.agency_id is not None:
        return query.where(User.agency_id == viewer.agency_id)
    return query.where(User.id == viewer.id)


def can_see_user(viewer: User, user: User) -> bool:
    if viewer.id == user.id or viewer.has_role(Role.COORDINATOR):
        return True
    return viewer.role_enum is Role.AGENCY_LEAD and viewer.agency_id is not None and viewer.agency_id == user.agency_id


def agency_scope(viewer: User, requested_agency_id: int | None = None) -> tuple[int, ...] | None:
    """The agencies a report may cover for `viewer`: None means all (coordinators, admins).

    An agency lead always gets their own agency; asking for another one is a 404, so the
    page does not even confirm that the agency exists."""
    if viewer.has_role(Role.COORDINATOR):
        return (requested_agency_id,) if requested_agency_id else None
    if viewer.role_enum is Role.AGENCY_LEAD and viewer.agency_id is not None:
        if requested_agency_id and requested_agency_id != viewer.agency_id:
            abort(404)
        return (viewer.agency_id,)
    abort(403)


def visible_user_or_404(viewer: User, user: User | None) -> User:
    """`user` (already loaded, e.g. an attempt's owner) if `viewer` may see them, else 404."""
    if user is None or not can_see_user(viewer, user):
        abort(404)
    return user


def can_manage_user(viewer: User, user: User) -> bool:
    """Whether `viewer` may change `user`'s details or deactivate them: someone they can see
    whose role is not above their own. Agency leads manage their own agency's staff only;
    practitioners manage nobody (not even themselves: their details are kept by others)."""
    if not viewer.has_role(Role.AGENCY_LEAD) or not can_see_user(viewer, user):
        return False
    return user.role_enum.rank <= viewer.role_enum.rank


def user_in_scope_or_404(viewer: User, user_id: int) -> User:
    """The person with `user_id` if `viewer` may see them, else 404 (whatever id is asked
    for, another agency's staff look exactly like ids that do not exist)."""
    user = db.session.get(User, user_id)
    if user is None or not can_see_user(viewer, user):
        abort(404)
    return user


def manageable_user_or_404(viewer: User, user_id: int) -> User:
    """As `user_in_scope_or_404`, then 403 if `viewer` sees but may not manage them (an agency
    lead and a coordinator in their own agency, say)."""
    user = user_in_scope_or_404(viewer, user_id)
    if not can_manage_user(viewer, user):
        abort(403)
    return user
