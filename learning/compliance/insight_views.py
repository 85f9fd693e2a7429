"""The "Questions staff get wrong" pages: every question's figures for the partnership (or,
for an agency lead, their own agency), filtered, sorted and paginated, and one question's
figures agency by agency. Routes on the dashboards' blueprint; the figures are those the
worker counted and kept (learning/compliance/counted_questions.py), read with
learning/compliance/insight.py's suppression; before its first count, a page says so."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from learning.access import agency_scope, role_required
from learning.compliance import counted_questions
from learning.compliance.forms import InsightFilterForm
from learning.compliance.insight import MIN_PEOPLE, NO_ANSWERS, Sort, by_agency, question_figures
from learning.compliance.views import bp
from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.models import Agency, Role
from learning.numbers import int_arg
from learning.pagination import Page, requested_page

PER_PAGE = 20


def _agencies(agency_ids: tuple[int, ...] | None) -> list[tuple[int, str]]:
    """(id, name) of the agencies the viewer may pick: every active one, or their own."""
    query = select(Agency.id, Agency.name).order_by(Agency.name)
    query = query.where(Agency.active.is_(True)) if agency_ids is None else query.where(Agency.id.in_(agency_ids))
    return [(row.id, row.name) for row in db.session.execute(query)]


@bp.route("/misconceptions")
@role_required(Role.AGENCY_LEAD)
def misconceptions():
    counted = counted_questions.kept()
    if counted is None:  # before the worker's first count
        return render_template("compliance/misconceptions_counting.html")
    # A lead's figures are their own agency's; asking for another agency is a 404.
    scope = agency_scope(current_user, None if current_user.has_role(Role.COORDINATOR) else int_arg("agency"))
    agencies = _agencies(scope)
    form = InsightFilterForm(request.args)
    form.module.choices = [("", "All modules")] + [(m.slug, m.title) for m in catalogue().ordered()]
    form.agency.choices = [(0, "All agencies together")] + agencies
    form.sort.choices = [(s.value, s.label) for s in Sort]
    form.validate()
    module = form.module.data if form.module.data and not form.module.errors else None
    sort = Sort(form.sort.data) if form.sort.data and not form.sort.errors else Sort.WRONG
    if scope is not None:
        agency_id: int | None = scope[0]
    else:
        agency_id = form.agency.data if form.agency.data and not form.agency.errors else None
    found = question_figures(agency_id, module, sort, errors=counted.errors)
    page = Page.within(requested_page(), PER_PAGE, len(found))
    filter_args = {k: v for k, v in {"module": module, "agency": agency_id if scope is None else None,
                                     "sort": sort.value if sort is not Sort.WRONG else None}.items() if v}
    return render_template("compliance/misconceptions.html", form=form, page_rows=found[page.offset:page.offset + page.size],
                           page=page, filter_args=filter_args, min_people=MIN_PEOPLE, lead=scope is not None,
                           agency_name=dict(agencies).get(agency_id) if agency_id else None, sort=sort,
                           module_title=catalogue().modules[module].title if module else None,
                           counted_at=counted.counted_at)


@bp.route("/misconceptions/<slug>/<question_id>")
@role_required(Role.AGENCY_LEAD)
def misconception(slug: str, question_id: str):
    module = catalogue().modules.get(slug) or abort(404)
    question = module.question(question_id) or abort(404)
    scope = agency_scope(current_user)
    counted = counted_questions.kept()
    if counted is None:
        return render_template("compliance/misconceptions_counting.html")
    partnership, cells = by_agency(slug, question_id, scope, errors=counted.errors)
    rows = [(name, cells.get(agency_id, NO_ANSWERS)) for agency_id, name in _agencies(scope)]
    return render_template("compliance/misconception.html", module=module, question=question,
                           partnership=None if scope is not None else partnership, rows_by_agency=rows,
                           min_people=MIN_PEOPLE, lead=scope is not None, counted_at=counted.counted_at)
