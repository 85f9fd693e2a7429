"""People: the list (My staff for an agency lead), one person's page, editing their details,
deactivating and reactivating them, and (admins only) changing their role.

Every person is fetched through learning/access.py, so an agency lead gets 404 for anyone
outside their agency whatever id is in the URL or the form."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from learning.access import can_manage_user, manageable_user_or_404, role_required, user_in_scope_or_404, visible_users
from learning.audit import record
from learning.auth import emails, two_factor
from learning.compliance import memo
from learning.extensions import db
from learning.fields import present
from learning.mail import send
from learning.models import Agency, Role, Team, User, utcnow
from learning.pagination import Page, requested_page
from learning.people import bp
from learning.people.accounts import AccountError, create_user, send_invitations
from learning.people.forms import ConfirmForm, EditUserForm, NewUserForm, PeopleFilterForm, RoleForm
from learning.people.invitations import invitation_url, needs_invitation
from learning.people.record import person_record

PAGE_SIZE = 50


def _roles_for(actor: User) -> list[Role]:
    """Coordinators create practitioners and agency leads; only admins create the roles above."""
    top = Role.ADMIN if actor.has_role(Role.ADMIN) else Role.AGENCY_LEAD
    return [r for r in Role if r.rank <= top.rank]


@bp.route("/people/")
@role_required(Role.AGENCY_LEAD)
def users():
    """Everyone the viewer may see: all accounts for coordinators, their own agency's staff
    for an agency lead (titled My staff)."""
    form = PeopleFilterForm(request.args)
    coordinator = current_user.has_role(Role.COORDINATOR)
    agencies = {a.id: a for a in db.session.scalars(select(Agency).order_by(Agency.name))}
    form.agency.choices = [(0, "All agencies")] + [
        (a.id, a.name + ("" if a.active else " (inactive)")) for a in agencies.values()]
    if not form.validate():
        form.q.data, form.status.data, form.agency.data = "", "active", 0
    query = visible_users(current_user)
    if search := (form.q.data or "").strip():
        pattern = f"%{search.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    if coordinator and form.agency.data:
        query = query.where(User.agency_id == form.agency.data)
    if form.status.data == "active":
        query = query.where(User.active.is_(True))
    elif form.status.data == "deactivated":
        query = query.where(User.active.is_(False))
    # Counting every account matched reads them all (100,000 at county scale): kept a few
    # seconds per filter (learning/compliance/memo.py); the page itself is read each time.
    key = ("people", current_user.id if not coordinator else None, search, form.agency.data, form.status.data)
    total = memo.kept(key, lambda: db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    page = Page.within(requested_page(), PAGE_SIZE, total)
    people = db.session.scalars(query.options(selectinload(User.team)).order_by(User.name, User.id)
                                .limit(page.size).offset(page.offset)).all()
    filters = {k: v for k, v in {"q": search, "agency": form.agency.data or None,
                                  "status": form.status.data}.items() if v}
    return render_template("people/users.html", people=people, agencies=agencies, page=page, total=total,
                           filter_form=form, filters=filters, coordinator=coordinator,
                           filtered=bool(search or form.agency.data or form.status.data != "active"))


@bp.route("/people/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_user():
    form = NewUserForm()
    form.agency.choices = [(0, "Select an agency")] + [
        (a.id, a.name) for a in db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.name))]
    form.role.choices = [(r.value, r.label) for r in _roles_for(current_user)]
    if form.validate_on_submit():
        try:
            user = create_user(email=present(form.email.data), name=present(form.name.data), agency=db.session.get(Agency, form.agency.data),
                               role=Role(form.role.data), password=form.password.data or None)
        except AccountError as exc:
            field = getattr(form, exc.field, form.email)
            field.errors = [*field.errors, str(exc)]
        else:
            record("user_created", {"user_id": user.id, "email": user.email, "role": user.role})
            flash(f"Account created for {user.name}. {_invitation_news(user)}", "success")
            return redirect(url_for("people.users"))
    return render_template("people/new_user.html", form=form)


def _invitation_news(user: User) -> str:
    """Email an invitation if the account has no password yet; the words for the flash."""
    if user.password_hash:
        return ""
    if send_invitations([user], current_user._get_current_object()):
        return "We emailed them an invitation to set a password."
    return "The invitation email could not be sent: copy the link from their page and send it to them."


@bp.route("/people/<id:user_id>/invitation", methods=["POST"])
@role_required(Role.AGENCY_LEAD)
def user_invitation(user_id: int):
    """Send the invitation again: a new link, and the one sent before stops working."""
    person = manageable_user_or_404(current_user, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if needs_invitation(person):
        flash(_invitation_news(person), "success")
    else:
        flash(f"{person.name} has already set a password: they can use \"Forgotten your password?\" "
              "on the sign-in page.", "info")
    return redirect(url_for("people.user", user_id=person.id))


@bp.route("/people/<id:user_id>/two-factor/reset", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_two_factor_reset(user_id: int):
    """Admins only: remove a person's second factor (a lost phone and lost recovery codes).
    Their sessions end, they are emailed, and it is audited."""
    person = user_in_scope_or_404(current_user, user_id)
    if person.id == current_user.id or not two_factor.enrolled(person):
        flash(f"{person.name} has no two-factor sign-in to reset." if person.id != current_user.id
              else "You cannot reset your own two-factor sign-in. Ask another administrator.", "info")
        return redirect(url_for("people.user", user_id=person.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        two_factor.turn_off(person)
        person.session_epoch = (person.session_epoch or 0) + 1
        record("two_factor_reset", {"user_id": person.id, "email": person.email}, commit=False)
        db.session.commit()
        send([emails.two_factor_reset(person, current_user)])
        flash(f"{person.name}'s two-factor sign-in is reset and they are signed out. We emailed them.", "success")
        return redirect(url_for("people.user", user_id=person.id))
    return render_template("people/user_two_factor_reset.html", person=person, confirm_form=form)


@bp.route("/people/<id:user_id>")
@role_required(Role.AGENCY_LEAD)
def user(user_id: int):
    """One page per person: their details, the actions on their account, and their whole
    learning record (modules and attempts, courses, training done elsewhere, certificates)."""
    person = user_in_scope_or_404(current_user, user_id)
    manage = can_manage_user(current_user, person)
    link = invitation_url(person) if manage and needs_invitation(person) else None
    is_admin = current_user.has_role(Role.ADMIN)
    now = utcnow()
    return render_template("people/user.html", person=person, record=person_record(person, current_user, now), now=now,
                           manage=manage, is_self=person.id == current_user.id, invitation_link=link,
                           two_factor_on=two_factor.enrolled(person), is_admin=is_admin,
                           can_change_role=is_admin and person.id != current_user.id,
                           coordinator=current_user.has_role(Role.COORDINATOR), form=None,
                           reactivate_form=ConfirmForm())


@bp.route("/people/<id:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.AGENCY_LEAD)
def user_edit(user_id: int):
    person = manageable_user_or_404(current_user, user_id)
    form = EditUserForm(obj=None if request.method == "POST" else person)
    if request.method == "GET":
        form.team.data = person.team_id or 0
    teams = db.session.scalars(select(Team).where(Team.agency_id == person.agency_id).order_by(Team.name)).all()
    form.team.choices = [(0, "No team")] + [(t.id, t.name) for t in teams]
    # Agency leads keep the job title and team up to date; names are for coordinators.
    may_rename = current_user.has_role(Role.COORDINATOR)
    if not may_rename:
        del form.name
    if form.validate_on_submit():
        changes = {}
        new = {"job_title": (form.job_title.data or "").strip() or None, "team_id": form.team.data or None}
        if may_rename:
            new["name"] = present(form.name.data).strip()
        for attribute, value in new.items():
            if getattr(person, attribute) != value:
                changes[attribute] = {"old": getattr(person, attribute), "new": value}
                setattr(person, attribute, value)
        if changes:
            record("user_updated", {"user_id": person.id, "email": person.email, "changes": changes}, commit=False)
            db.session.commit()
            flash(f"{person.name}'s details are saved.", "success")
        else:
            flash("Nothing was changed.", "info")
        return redirect(url_for("people.user", user_id=person.id))
    return render_template("people/user_edit.html", person=person, form=form, teams=teams)


@bp.route("/people/<id:user_id>/role", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_role(user_id: int):
    person = user_in_scope_or_404(current_user, user_id)
    if person.id == current_user.id:
        flash("You cannot change your own role. Ask another administrator.", "info")
        return redirect(url_for("people.user", user_id=person.id))
    form = RoleForm(data={"role": person.role} if request.method == "GET" else None)
    form.role.choices = [(r.value, r.label) for r in Role]
    if form.validate_on_submit():
        old, new = person.role_enum, Role(form.role.data)
        granting = new.rank > old.rank and new.rank >= Role.COORDINATOR.rank
        if granting and request.form.get("confirmed") != "yes":
            # "Are you sure?": these roles see every agency's staff.
            return render_template("people/user_role_confirm.html", person=person, role=new,
                                   scope=emails.ROLE_SCOPE[new], form=form)
        if new is not old:
            person.role = new.value
            record("role_change", {"user_id": person.id, "email": person.email, "old": old.value, "new": new.value},
                   commit=False)
            db.session.commit()
            if granting:
                send([emails.role_granted(person, new, current_user)])
            flash(f"{person.name} is now: {person.role_enum.label}." + (" We emailed them." if granting else ""),
                  "success")
        else:
            flash("The role was not changed.", "info")
        return redirect(url_for("people.user", user_id=person.id))
    return render_template("people/user_role.html", person=person, form=form)


@bp.route("/people/<id:user_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.AGENCY_LEAD)
def user_deactivate(user_id: int):
    """GET asks "Are you sure"; the POST button deactivates. Attempts and completions stay."""
    person = manageable_user_or_404(current_user, user_id)
    if person.id == current_user.id:
        flash("You cannot deactivate your own account.", "info")
        return redirect(url_for("people.user", user_id=person.id))
    if not person.active:
        flash(f"{person.name}'s account is already deactivated.", "info")
        return redirect(url_for("people.user", user_id=person.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        person.active = False
        record("user_deactivated", {"user_id": person.id, "email": person.email}, commit=False)
        db.session.commit()
        flash(f"{person.name}'s account is deactivated. Their learning records are kept.", "success")
        return redirect(url_for("people.user", user_id=person.id))
    return render_template("people/user_deactivate.html", person=person, confirm_form=form)


@bp.route("/people/<id:user_id>/reactivate", methods=["POST"])
@role_required(Role.AGENCY_LEAD)
def user_reactivate(user_id: int):
    person = manageable_user_or_404(current_user, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not person.active:
        person.active = True
        record("user_reactivated", {"user_id": person.id, "email": person.email}, commit=False)
        db.session.commit()
        flash(f"{person.name}'s account is active again.", "success")
    return redirect(url_for("people.user", user_id=person.id))
