"""Dashboards for agency leads (their own agency) and coordinators (every agency), the
staff behind every figure, and the workbook downloads. Views stay thin: parse the filters,
ask learning/compliance/__init__.py, render."""
from __future__ import annotations

from typing import NamedTuple

from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select

from learning.access import agency_scope, role_required, user_in_scope_or_404, visible_user_or_404
from learning.content.catalogue import catalogue
from learning.certificates.service import all_certificates, certificates_for
from learning.compliance import Scope, figures_by, memo, partnership_figures, required_modules, team_names
from learning.compliance.staff import filtered_staff
from learning.database import run
from learning.exports import send_workbook
from learning.compliance import completions_workbook
from learning.compliance import compliance_workbook
from learning.extensions import db
from learning.compliance.insight import MIN_PEOPLE, first_answer_errors
from learning.models import Agency, Attempt, Module, Role
from learning.learner.my_learning import learning_summary
from learning.compliance.status import Status
from learning.learner import reflection as reflections
from learning.numbers import int_arg
from learning.pagination import Page, requested_page
from learning.compliance.forms import COMPLIANT, CompletionsExportForm, StaffFilterForm
from learning.compliance import trend

bp = Blueprint("compliance", __name__, url_prefix="/dashboard")
PER_PAGE = 25


class Filters(NamedTuple):
    scope: Scope
    form: StaffFilterForm
    modules: list  # rows of id, slug, title (compliance.required_modules)
    teams: dict[int, str]


def _scope_from_request(agency_id: int | None = None) -> Filters:
    """The viewer's scope narrowed by the filters in the query string, plus what the
    page needs to show them (loaded once here rather than again by each view)."""
    agency_id = agency_id or int_arg("agency")
    agency_ids = agency_scope(current_user, agency_id)
    form = StaffFilterForm(request.args)
    teams = team_names(agency_ids)
    modules = required_modules(agency_ids)
    form.team.choices = [(0, "Any team")] + list(teams.items())
    form.module.choices = [(0, "Any module")] + [(m.id, m.title) for m in modules]
    form.validate()
    status = Status(form.status.data) if form.status.data in {s.value for s in Status} else None
    scope = Scope(
        agency_ids=agency_ids,
        # A team id that is not one of the choices (another agency's) is ignored, not obeyed.
        team_id=form.team.data if form.team.data and not form.team.errors else None,
        module_id=form.module.data if form.module.data and not form.module.errors else None,
        status=status,
        compliant=form.status.data == COMPLIANT,
        search=(form.q.data or "").strip()[:100],
    )
    return Filters(scope, form, modules, teams)


@bp.route("/")
@role_required(Role.AGENCY_LEAD)
def home():
    if current_user.has_role(Role.COORDINATOR):
        return partnership()
    return redirect(url_for("compliance.agency", agency_id=current_user.agency_id))


def partnership():
    figures = partnership_figures()
    return render_template("compliance/partnership.html", summary=figures.agencies, modules=required_modules(None),
                           by_module=figures.by_module, statuses=list(Status), **trend.page_context(None))


@bp.route("/agencies/<id:agency_id>")
@role_required(Role.AGENCY_LEAD)
def agency(agency_id: int):
    scope, form, modules, teams = _scope_from_request(agency_id)
    agency = run(_AGENCY, {"id": agency_id}).first() or abort(404)
    figures = figures_by(Scope(agency_ids=scope.agency_ids))
    number = requested_page()
    # The agency's headcount comes with the page of staff (and how many match the filters).
    heads, total, people, statuses = filtered_staff(scope, number, PER_PAGE, with_heads=True)
    return render_template("compliance/agency.html", agency=agency, modules=modules, figures=figures, heads=heads,
                           form=form, rows=status_rows(people, modules, statuses), page=Page(number, PER_PAGE, total),
                           teams=teams, scope=scope, statuses_list=list(Status),
                           filter_args=_filter_args(scope), **trend.page_context(scope.agency_ids))


_AGENCY = select(Agency.id, Agency.name).where(Agency.id == bindparam("id"))


@bp.route("/staff")
@role_required(Role.AGENCY_LEAD)
def staff():
    scope, form, modules, teams = _scope_from_request()
    number = requested_page()
    found = filtered_staff(scope, number, PER_PAGE)
    agencies = dict(db.session.execute(select(Agency.id, Agency.name)).all())
    module_titles = {m.id: m.title for m in modules}
    return render_template("compliance/staff.html", form=form, modules=modules,
                           rows=status_rows(found.people, modules, found.statuses), statuses_list=list(Status),
                           page=Page(number, PER_PAGE, found.total), agencies=agencies, teams=teams, scope=scope,
                           filter_summary=scope.describe(agencies, teams, module_titles), filter_args=_filter_args(scope))


def status_rows(people, modules, statuses) -> list[tuple]:
    """The staff matrix's rows: each person with their status in each module's column, in
    the order of `modules` (None where the module is not required of them)."""
    ids = [m.id for m in modules]
    return [(person, [statuses[person.id].get(i) for i in ids]) for person in people]


@bp.app_template_filter("join_markup")
def join_markup(keys, pieces: dict) -> Markup:
    """`pieces[key]` for each key, joined, for the staff matrix's cells: the template makes
    each kind of cell once as markup, so a row is joined once rather than escaped cell by
    cell. The pieces must be markup already (Markup), never plain text."""
    if not all(isinstance(piece, Markup) for piece in pieces.values()):
        raise TypeError("join_markup joins Markup pieces only")
    return Markup("".join([pieces[key] for key in keys]))  # noqa: S704  # every piece is Markup, checked above


def _filter_args(scope: Scope) -> dict:
    args = {"agency": scope.agency_ids[0] if scope.agency_ids and len(scope.agency_ids) == 1 else None,
            "team": scope.team_id, "module": scope.module_id, "status": scope.status.value if scope.status else COMPLIANT if scope.compliant else None,
            "q": scope.search or None}
    return {k: v for k, v in args.items() if v}


@bp.route("/people/<id:user_id>")
@role_required(Role.AGENCY_LEAD)
def person(user_id: int):
    person = user_in_scope_or_404(current_user, user_id)
    completions = all_certificates(person)
    shared = [(c, text) for c in completions if (text := reflections.visible_to(c, current_user))]
    return render_template("compliance/person.html", person=person, summary=learning_summary(person),
                           certificates=certificates_for(completions), reflections=shared)


@bp.route("/attempts/<id:attempt_id>")
@role_required(Role.AGENCY_LEAD)
def attempt(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    visible_user_or_404(current_user, attempt.user)
    content = catalogue().modules.get(attempt.module.slug) or abort(404)
    return render_template("compliance/attempt.html", attempt=attempt, content=content, person=attempt.user)


@bp.route("/compliance.xlsx")
@role_required(Role.AGENCY_LEAD)
def compliance_export():
    scope = _scope_from_request().scope
    window = current_app.config["EXPIRING_WINDOW_DAYS"]
    return send_workbook(lambda out: compliance_workbook.build(out, scope, current_user.email, window),
                         "export_compliance",
                         {"agencies": list(scope.agency_ids) if scope.agency_ids else "all", **_filter_args(scope)},
                         f"compliance-{date.today().isoformat()}.xlsx")


@bp.route("/completions", methods=["GET"])
@role_required(Role.AGENCY_LEAD)
def completions_export():
    agency_ids = agency_scope(current_user, int_arg("agency"))
    # The form counts as sent only when its own fields are in the query: a link that carries
    # just the agency (from an agency's dashboard) opens it clean, with no errors.
    sent = "module" in request.args
    form = CompletionsExportForm(request.args if sent else None)
    form.module.choices = [("", "Choose a module")] + [(m.slug, m.title) for m in catalogue().ordered()]
    agencies = select(Agency).order_by(Agency.name)
    if agency_ids is not None:
        agencies = agencies.where(Agency.id.in_(agency_ids))
    form.agency.choices = ([(0, "All agencies")] if agency_ids is None else []) + [
        (a.id, a.name) for a in db.session.scalars(agencies)]
    if sent and form.validate():
        module = db.session.scalar(select(Module).where(Module.slug == form.module.data)) or abort(404)
        chosen = agency_ids if agency_ids is not None else agency_scope(current_user, form.agency.data or None)
        start, end = form.start.data, form.end.data
        return send_workbook(
            lambda out: completions_workbook.build(out, module, chosen, start, end, current_user.email),
            "export_completions",
            {"module": module.slug, "agencies": list(chosen) if chosen else "all", "from": start, "to": end},
            f"completions-{module.slug}-{date.today().isoformat()}.xlsx")
    return render_template("compliance/completions_export.html", form=form)


@bp.route("/misconceptions")
@role_required(Role.COORDINATOR)
def misconceptions():
    def tables() -> Markup:
        """Every agency's figures for every question: the same for every coordinator, and
        thousands of cells, so rendered once and kept a few seconds (compliance/memo.py)."""
        agencies = db.session.execute(select(Agency.id, Agency.name).where(Agency.active.is_(True))
                                      .order_by(Agency.name)).all()
        return Markup(render_template("compliance/_misconception_tables.html", agencies=agencies,  # noqa: S704  # rendered by Jinja with autoescape
                                      errors=first_answer_errors(), modules=catalogue().ordered(), min_people=MIN_PEOPLE))

    return render_template("compliance/misconceptions.html", tables=memo.kept(("misconceptions",), tables),
                           min_people=MIN_PEOPLE)
