"""The audit trail, for administrators: search by action, person and dates, newest first.

Read-only by design: this blueprint has GET routes only, and learning/audit/__init__.py refuses
ORM updates and deletes of audit rows.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request

from learning import audit
from learning.access import role_required
from learning.models import Role
from learning.pagination import Page, requested_page
from learning.audit.forms import AuditSearchForm

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.route("/")
@role_required(Role.ADMIN)
def events():
    form = AuditSearchForm(formdata=request.args if request.args else None)
    form.action.choices = [("", "Any action")] + [(a, a.replace("_", " ").capitalize()) for a in audit.actions()]
    filters = audit.AuditFilter()
    if request.args and form.validate():
        filters = audit.AuditFilter(action=form.action.data or None, person=form.person.data or None,
                                    start=form.start.data, end=form.end.data)
    number = requested_page()
    found, total = audit.search(filters, page=number, page_size=PAGE_SIZE)
    # Page links keep the search: every argument (dates have three values) but the page.
    search_args = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"}
    rows = [(event, audit.detail_items(event)) for event in found]
    return render_template("audit/events.html", form=form, rows=rows, total=total,
                           page=Page(number, PAGE_SIZE, total), search_args=search_args)
