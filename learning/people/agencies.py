"""Agencies and their teams (coordinators and admins). Nothing here deletes: an inactive
agency keeps its staff, teams and learning history, and can be made active again."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from learning.access import role_required
from learning.audit import record
from learning.extensions import db
from learning.fields import present
from learning.models import Agency, Role, Sector, Team, User
from learning.people import bp
from learning.people.forms import AgencyForm, EditAgencyForm, TeamForm


def _agency_or_404(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    return agency


def _name_taken(model, name: str, exclude_id: int | None = None, **where) -> bool:
    query = select(model.id).where(func.lower(model.name) == name.strip().lower())
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


@bp.route("/agencies/")
@role_required(Role.COORDINATOR)
def agencies():
    rows = db.session.execute(
        select(Agency,
               select(func.count(User.id)).where(User.agency_id == Agency.id, User.active.is_(True))
               .correlate(Agency).scalar_subquery(),
               select(func.count(Team.id)).where(Team.agency_id == Agency.id).correlate(Agency).scalar_subquery())
        .order_by(Agency.active.desc(), Agency.name)
    ).all()
    return render_template("people/agencies.html", rows=rows, sectors={s.value: s.label for s in Sector})


@bp.route("/agencies/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def agency_new():
    form = AgencyForm()
    if form.validate_on_submit():
        name = " ".join(present(form.name.data).split())
        if _name_taken(Agency, name):
            form.name.errors = [*form.name.errors, f"There is already an agency called {name}"]
        else:
            agency = Agency(name=name, sector=form.sector.data, active=True)
            db.session.add(agency)
            db.session.flush()
            record("agency_created", {"agency_id": agency.id, "name": name, "sector": agency.sector}, commit=False)
            db.session.commit()
            flash(f"{name} is added. Add its teams below.", "success")
            return redirect(url_for("people.agency", agency_id=agency.id))
    return render_template("people/agency_form.html", form=form, agency=None)


@bp.route("/agencies/<id:agency_id>")
@role_required(Role.COORDINATOR)
def agency(agency_id: int):
    agency = _agency_or_404(agency_id)
    staff = dict(db.session.execute(
        select(User.team_id, func.count(User.id)).where(User.agency_id == agency.id, User.active.is_(True))
        .group_by(User.team_id)).all())
    return render_template("people/agency.html", agency=agency, staff=staff, total=sum(staff.values()),
                           sector=Sector(agency.sector).label)


@bp.route("/agencies/<id:agency_id>/edit", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def agency_edit(agency_id: int):
    agency = _agency_or_404(agency_id)
    form = EditAgencyForm(data={"name": agency.name, "sector": agency.sector, "active": "yes" if agency.active else "no"}
                          if request.method == "GET" else None)
    if form.validate_on_submit():
        name = " ".join(present(form.name.data).split())
        if _name_taken(Agency, name, exclude_id=agency.id):
            form.name.errors = [*form.name.errors, f"There is already an agency called {name}"]
        else:
            new = {"name": name, "sector": form.sector.data, "active": form.active.data == "yes"}
            changes = {k: {"old": getattr(agency, k), "new": v} for k, v in new.items() if getattr(agency, k) != v}
            for key, value in new.items():
                setattr(agency, key, value)
            if changes:
                record("agency_updated", {"agency_id": agency.id, "changes": changes}, commit=False)
                db.session.commit()
                flash(f"{agency.name} is saved.", "success")
            return redirect(url_for("people.agency", agency_id=agency.id))
    return render_template("people/agency_form.html", form=form, agency=agency)


@bp.route("/agencies/<id:agency_id>/teams/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def team_new(agency_id: int):
    agency = _agency_or_404(agency_id)
    form = TeamForm()
    if form.validate_on_submit():
        name = " ".join(present(form.name.data).split())
        if _name_taken(Team, name, agency_id=agency.id):
            form.name.errors = [*form.name.errors, f"{agency.name} already has a team called {name}"]
        else:
            team = Team(agency_id=agency.id, name=name)
            db.session.add(team)
            db.session.flush()
            record("team_created", {"agency_id": agency.id, "team_id": team.id, "name": name}, commit=False)
            db.session.commit()
            flash(f"The team {name} is added to {agency.name}.", "success")
            return redirect(url_for("people.agency", agency_id=agency.id))
    return render_template("people/team_form.html", form=form, agency=agency, team=None)


@bp.route("/agencies/<id:agency_id>/teams/<id:team_id>/edit", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def team_edit(agency_id: int, team_id: int):
    agency = _agency_or_404(agency_id)
    team = db.session.get(Team, team_id)
    if team is None or team.agency_id != agency.id:
        abort(404)
    form = TeamForm(data={"name": team.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        name = " ".join(present(form.name.data).split())
        if _name_taken(Team, name, exclude_id=team.id, agency_id=agency.id):
            form.name.errors = [*form.name.errors, f"{agency.name} already has a team called {name}"]
        else:
            if name != team.name:
                record("team_updated", {"agency_id": agency.id, "team_id": team.id, "old": team.name, "new": name},
                       commit=False)
                team.name = name
                db.session.commit()
                flash(f"The team is renamed {name}.", "success")
            return redirect(url_for("people.agency", agency_id=agency.id))
    return render_template("people/team_form.html", form=form, agency=agency, team=team)
