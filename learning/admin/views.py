"""People: list and create accounts (coordinators and admins)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..access import role_required, visible_users
from ..accounts import AccountError, create_user
from ..extensions import db
from ..models import Agency, Role, User
from .forms import NewUserForm

bp = Blueprint("admin", __name__, url_prefix="/people")
PAGE_SIZE = 50


def _roles_for(actor: User) -> list[Role]:
    """Coordinators create practitioners and agency leads; only admins create the roles above."""
    top = Role.ADMIN if actor.has_role(Role.ADMIN) else Role.AGENCY_LEAD
    return [r for r in Role if r.rank <= top.rank]


@bp.route("/")
@role_required(Role.COORDINATOR)
def users():
    page = max(request.args.get("page", 1, type=int), 1)
    query = visible_users(current_user).order_by(User.name)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    people = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    agencies = {a.id: a.name for a in db.session.scalars(select(Agency))}
    return render_template("admin/users.html", people=people, agencies=agencies, page=page, total=total,
                           page_size=PAGE_SIZE)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_user():
    form = NewUserForm()
    form.agency.choices = [(a.id, a.name) for a in db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.name))]
    form.role.choices = [(r.value, r.label) for r in _roles_for(current_user)]
    if form.validate_on_submit():
        try:
            user = create_user(email=form.email.data, name=form.name.data, agency=db.session.get(Agency, form.agency.data),
                               role=Role(form.role.data), password=form.password.data)
        except AccountError as exc:
            field = getattr(form, exc.field, form.email)
            field.errors = [*field.errors, str(exc)]
        else:
            flash(f"Account created for {user.name}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form)
