"""Dashboards for agency leads (their own agency) and coordinators (every agency), the
staff behind every figure, and the workbook downloads. Views stay thin: parse the filters,
ask learning/compliance/__init__.py, render."""
from __future__ import annotations

import tempfile
from datetime import date
from typing import NamedTuple

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select

from learning import audit
from learning.access import agency_scope, role_required, user_in_scope_or_404, visible_user_or_404
from learning.compliance import Scope, completions_workbook, compliance_workbook, figures_by, required_modules, team_names, trend
from learning.compliance import counted as counted_figures
from learning.compliance.board_pack import build_board_pack
from learning.compliance.forms import COMPLIANT, CompletionsExportForm, StaffFilterForm
from learning.compliance.partnership import figures_from
from learning.compliance.people_counts import NOBODY, people_counts
from learning.compliance.staff import filtered_staff
from learning.compliance.status import Status
from learning.content.catalogue import catalogue
from learning.database import run
from learning.exports import send_workbook
from learning.extensions import db
from learning.jobs.kinds import staff_in
from learning.jobs.views import send_or_queue
from learning.models import Agency, Attempt, Module, Role
from learning.numbers import int_arg
from learning.pagination import Page, requested_page

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
    # Teams belong to an agency: the filter is offered within one agency, not across a
    # partnership's hundreds of teams (whose names repeat from agency to agency).
    one_agency = agency_ids is not None and len(agency_ids) == 1
    form.team.choices = [(0, "Any team")] + (list(teams.items()) if one_agency else [])
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
    counted = counted_figures.partnership()
    if counted is None:  # before the worker's first count
        return render_template("compliance/partnership.html", summary=None)
    figures = figures_from(counted.counts)
    return render_template("compliance/partnership.html", summary=figures.agencies, modules=required_modules(None),
                           by_module=figures.by_module, statuses=list(Status), counted_at=counted.counted_at,
                           **trend.page_context(None))


@bp.route("/agencies/<id:agency_id>")
@role_required(Role.AGENCY_LEAD)
def agency(agency_id: int):
    scope, form, modules, teams = _scope_from_request(agency_id)
    agency = run(_AGENCY, {"id": agency_id}).first() or abort(404)
    figures = figures_by(Scope(agency_ids=scope.agency_ids))
    counted = people_counts(Scope(agency_ids=scope.agency_ids)).get(agency_id, NOBODY)
    number = requested_page()
    # The agency's headcount comes with the page of staff (and how many match the filters).
    found = filtered_staff(scope, number, PER_PAGE, with_heads=True)
    return render_template("compliance/agency.html", agency=agency, modules=modules, figures=figures, heads=found.heads,
                           counted=counted, form=form, rows=status_rows(found.people, modules, found.statuses),
                           page=Page(number, PER_PAGE, found.total),
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
                           filter_summary=scope.describe(agencies, teams, module_titles), filter_args=_filter_args(scope),
                           counted_at=found.counted_at)


def status_rows(people, modules, statuses) -> list[tuple]:
    """The staff matrix's rows: each person with a (module id, status) key per module's
    column, in the order of `modules` (status None where the module is not required of
    them). The template makes the cell for each key once per table (join_markup)."""
    ids = [m.id for m in modules]
    return [(person, [(i, statuses[person.id].get(i)) for i in ids]) for person in people]


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
    """The old address of a person's learning record: their one page is /people/<id> now."""
    person = user_in_scope_or_404(current_user, user_id)
    return redirect(url_for("people.user", user_id=person.id))


@bp.route("/attempts/<id:attempt_id>")
@role_required(Role.AGENCY_LEAD)
def attempt(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    visible_user_or_404(current_user, attempt.user)
    content = catalogue().modules.get(attempt.module.slug) or abort(404)
    return render_template("compliance/attempt.html", attempt=attempt, path=attempt.path, content=content,
                           person=attempt.user)


@bp.route("/compliance.xlsx")
@role_required(Role.AGENCY_LEAD)
def compliance_export():
    scope = _scope_from_request().scope
    window = current_app.config["EXPIRING_WINDOW_DAYS"]
    filename = f"compliance-{date.today().isoformat()}.xlsx"
    params = {"agencies": list(scope.agency_ids) if scope.agency_ids is not None else None, "team": scope.team_id,
              "module": scope.module_id, "status": scope.status.value if scope.status else None,
              "compliant": scope.compliant, "q": scope.search}
    return send_or_queue("compliance", params, filename, staff_in(scope.agency_ids), lambda: send_workbook(
        lambda out: compliance_workbook.build(out, scope, current_user.email, window), "export_compliance",
        {"agencies": list(scope.agency_ids) if scope.agency_ids else "all", **_filter_args(scope)}, filename))


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
        filename = f"completions-{module.slug}-{date.today().isoformat()}.xlsx"
        params = {"module": module.slug, "agencies": list(chosen) if chosen is not None else None,
                  "from": start.isoformat() if start else None, "to": end.isoformat() if end else None}
        return send_or_queue("completions", params, filename, staff_in(chosen), lambda: send_workbook(
            lambda out: completions_workbook.build(out, module, chosen, start, end, current_user.email),
            "export_completions",
            {"module": module.slug, "agencies": list(chosen) if chosen else "all", "from": start, "to": end}, filename))
    return render_template("compliance/completions_export.html", form=form)


@bp.route("/board-pack.pdf")
@role_required(Role.COORDINATOR)
def board_pack_download():
    """The board pack for every agency, or one (?agency=ID), over the last twelve months: sent
    at once for a small partnership, prepared by the worker (with a progress page) for a big one."""
    agency_id = int_arg("agency")
    if agency_id is not None:
        run(_AGENCY, {"id": agency_id}).first() or abort(404)
    filename = f"board-pack-{date.today().isoformat()}.pdf"
    return send_or_queue("board-pack", {"agency": agency_id}, filename, staff_in((agency_id,) if agency_id else None),
                         lambda: _board_pack_now(agency_id, filename))


def _board_pack_now(agency_id: int | None, filename: str):
    out = tempfile.TemporaryFile()
    try:
        counts = build_board_pack(out, agency_id)
    except BaseException:
        out.close()
        raise
    audit.record("export_board_pack", {**counts, "agencies": [agency_id] if agency_id else "all",
                                       "agencies_count": counts["agencies"], "via": "web"})
    out.seek(0)
    return send_file(out, mimetype="application/pdf", as_attachment=True, download_name=filename)


# The "Questions staff get wrong" and scheduled reports pages join this blueprint from their own modules.
from learning.compliance import insight_views, scheduled_views  # noqa: E402,F401
