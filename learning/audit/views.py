"""The audit trail, for administrators: search by what happened, person and dates, newest
first, each event as a sentence; and the trail for a date range as a workbook.

Read-only by design: this blueprint has GET routes only, and learning/audit/__init__.py refuses
ORM updates and deletes of audit rows. Downloading the trail is itself recorded.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from learning import audit
from learning.access import role_required
from learning.audit import workbook
from learning.audit.forms import AuditDownloadForm, AuditSearchForm
from learning.audit.sentences import Lookups, label, sentence
from learning.exports import send_workbook
from learning.fields import present
from learning.models import Role
from learning.pagination import Page, requested_page

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.route("/")
@role_required(Role.ADMIN)
def events():
    form = AuditSearchForm(formdata=request.args if request.args else None)
    form.action.choices = [("", "Anything")] + sorted(((a, label(a)) for a in audit.actions()), key=lambda c: c[1])
    filters = audit.AuditFilter()
    if request.args and form.validate():
        filters = audit.AuditFilter(action=form.action.data or None, person=form.person.data or None,
                                    start=form.start.data, end=form.end.data)
    number = requested_page()
    found, total = audit.search(filters, page=number, page_size=PAGE_SIZE)
    # Page links keep the search: every argument (dates have three values) but the page.
    search_args = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"}
    lookups = Lookups.load(found)
    rows = [(event, sentence(event, lookups)) for event in found]
    return render_template("audit/events.html", form=form, rows=rows, total=total,
                           page=Page(number, PAGE_SIZE, total), search_args=search_args)


@bp.route("/download")
@role_required(Role.ADMIN)
def download():
    # The form counts as sent once its dates are in the query: the page opens clean.
    sent = "start" in request.args or "end" in request.args
    form = AuditDownloadForm(request.args if sent else None)
    if sent and form.validate():
        start, end = present(form.start.data), present(form.end.data)
        return send_workbook(lambda out: workbook.build(out, start, end, current_user.email), "export_audit",
                             {"from": start, "to": end}, f"audit-trail-{start}-to-{end}.xlsx")
    return render_template("audit/download.html", form=form)
