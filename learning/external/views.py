"""External learning: practitioners record it; coordinators and agency leads review it."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from learning import audit
from learning.access import agency_scope, can_see_user, role_required, signed_in, visible_user_or_404
from learning.content.catalogue import ordered_module_rows
from learning.courses.forms import ExternalRecordForm, ReviewForm
from learning.extensions import db
from learning.external import records as service
from learning.fields import present
from learning.models import ExternalRecord, Module, Role, User
from learning.storage import store

bp = Blueprint("external", __name__, url_prefix="/external")


@bp.route("/")
@signed_in
def index():
    records = db.session.scalars(select(ExternalRecord).where(ExternalRecord.user_id == current_user.id)
                                 .order_by(ExternalRecord.created_at.desc())).all()
    return render_template("external/index.html", records=records)


@bp.route("/new", methods=["GET", "POST"])
@signed_in
def new():
    form = ExternalRecordForm()
    if form.validate_on_submit():
        try:
            service.submit(current_user, present(form.title.data), present(form.provider.data),
                           present(form.completed_on.data), form.evidence_note.data or "", form.evidence.data)
        except service.ReviewError as exc:
            form.completed_on.errors = [*form.completed_on.errors, str(exc)]
        else:
            flash("Your training record has been sent for approval.", "success")
            return redirect(url_for("external.index"))
    return render_template("external/new.html", form=form)


@bp.route("/review")
@role_required(Role.AGENCY_LEAD)
def queue():
    agency_ids = agency_scope(current_user)
    query = select(ExternalRecord).join(User, User.id == ExternalRecord.user_id).where(
        ExternalRecord.status == service.PENDING).order_by(ExternalRecord.created_at)
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    return render_template("external/queue.html", records=db.session.scalars(query).all())


def _record_in_scope(record_id: int) -> ExternalRecord:
    record = db.session.get(ExternalRecord, record_id)
    if record is None:
        abort(404)
    visible_user_or_404(current_user, record.user)
    return record


@bp.route("/<id:record_id>/review", methods=["GET", "POST"])
@role_required(Role.AGENCY_LEAD)
def review(record_id: int):
    record = _record_in_scope(record_id)
    if record.user_id == current_user.id:
        abort(403)  # nobody approves their own training
    form = ReviewForm()
    form.modules.choices = [(m.id, m.title) for m in ordered_module_rows()]
    if record.status == service.PENDING and form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                modules = db.session.scalars(select(Module).where(Module.id.in_(present(form.modules.data)))).all()
                count = service.approve(record, current_user, list(modules), form.note.data or "")
                audit.record("external_approve", {"record": record.id, "user": record.user_id, "modules": count})
                flash(f"Approved. It now counts towards {count} module{'s' if count != 1 else ''}.", "success")
            else:
                service.reject(record, current_user, form.note.data or "")
                audit.record("external_reject", {"record": record.id, "user": record.user_id})
                flash("Rejected. The practitioner can see your note.", "success")
        except service.ReviewError as exc:
            flash(str(exc))
        return redirect(url_for("external.queue"))
    return render_template("external/review.html", record=record, form=form)


@bp.route("/<id:record_id>/evidence")
@signed_in
def evidence(record_id: int):
    record = db.session.get(ExternalRecord, record_id)
    if record is None or not (record.user_id == current_user.id
                              or (current_user.has_role(Role.AGENCY_LEAD) and can_see_user(current_user, record.user))):
        abort(404)
    key = service.evidence_key(record)
    if key is None:
        abort(404)
    data = store().read(key) or b""  # evidence is small (the upload limit): read whole
    return send_file(io.BytesIO(data), mimetype="application/octet-stream", as_attachment=True,
                     download_name=record.evidence_filename or "evidence")
