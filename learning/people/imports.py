"""Import staff: upload, preview, confirm. The work is in learning/people/staff_import/.

1. POST /import-staff reads the file. A file that cannot be used goes back to the form
   with the reason; rows with errors are shown and nothing is kept; a clean file is kept
   server-side for an hour (owned by the uploader) and its preview shown.
2. POST /import-staff/<token> validates the kept rows again and imports them all in one
   transaction, or none, then shows the invitation links for the new accounts.
"""
from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning.access import role_required
from learning.extensions import db
from learning.jobs.service import request_job
from learning.models import Agency, Role
from learning.people import bp, staff_import
from learning.people.forms import ConfirmForm, ImportForm
from learning.people.invitations import invitation_url


def _importer(default_agency_id: int | None = None) -> staff_import.Importer:
    importer = staff_import.Importer.for_user(
        current_user, default_agency=db.session.get(Agency, default_agency_id) if default_agency_id else None)
    if not current_user.has_role(Role.COORDINATOR) and importer.own_agency is None:
        abort(403)  # an agency lead with no agency has no staff to import
    return importer


def _stored_or_404(token: str) -> staff_import.StoredUpload | tuple[str, int]:
    try:
        upload = staff_import.load_upload(token, current_user)
    except staff_import.UploadExpired:
        return render_template("people/import_expired.html"), 410
    if upload is None:
        abort(404)
    return upload


@bp.route("/import-staff", methods=["GET", "POST"])
@role_required(Role.AGENCY_LEAD)
def import_staff():
    importer = _importer()
    form = ImportForm()
    coordinator = importer.own_agency is None
    form.agency.choices = [(0, "Use the agency column in the file")] + [
        (a.id, a.name) for a in db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.name))]
    if form.validate_on_submit():
        upload = form.file.data
        default_agency_id = form.agency.data if coordinator and form.agency.data else None
        try:
            parsed = staff_import.parse(upload.filename or "", upload.read(),
                                        current_app.config["STAFF_IMPORT_MAX_ROWS"])
        except staff_import.ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            importer = _importer(default_agency_id)
            preview = staff_import.validate(parsed.rows, importer)
            if preview.ok:
                token = staff_import.save_upload(current_user, upload.filename or "", parsed, importer.default_agency)
                return redirect(url_for("people.import_preview", token=token))
            return render_template("people/import_preview.html", preview=preview, filename=upload.filename,
                                   ignored=parsed.ignored_columns, token=None, confirm_form=None, at_confirm=False)
    return render_template("people/import_upload.html", form=form, coordinator=coordinator,
                           own_agency=importer.own_agency, max_rows=current_app.config["STAFF_IMPORT_MAX_ROWS"])


@bp.route("/import-staff/<token>")
@role_required(Role.AGENCY_LEAD)
def import_preview(token: str):
    upload = _stored_or_404(token)
    if not isinstance(upload, staff_import.StoredUpload):
        return upload
    preview = staff_import.validate(upload.rows, _importer(upload.default_agency_id))
    form = ConfirmForm()
    return render_template("people/import_preview.html", preview=preview, filename=upload.filename,
                           ignored=upload.ignored_columns, token=token if preview.ok else None, confirm_form=form,
                           at_confirm=False)


@bp.route("/import-staff/<token>", methods=["POST"])
@role_required(Role.AGENCY_LEAD)
def import_confirm(token: str):
    upload = _stored_or_404(token)
    if not isinstance(upload, staff_import.StoredUpload):
        return upload
    if not ConfirmForm().validate_on_submit():
        abort(400)
    importer = _importer(upload.default_agency_id)
    # Validated again: the accounts may have changed since the preview.
    preview = staff_import.validate(upload.rows, importer)
    if not preview.ok:
        staff_import.discard_upload(token)
        return render_template("people/import_preview.html", preview=preview, filename=upload.filename, ignored=[],
                               token=None, confirm_form=None, at_confirm=True)
    if len(preview.rows) > current_app.config["STAFF_IMPORT_JOB_ROWS"]:
        # A big file is imported by the worker, with a progress page, so the request never waits on it.
        job, _ = request_job(current_user, "staff-import", {"token": token}, upload.filename or "the file")
        return redirect(url_for("jobs.progress", job_id=job.id))
    try:
        result = staff_import.apply(preview, importer, filename=upload.filename)
    except IntegrityError:
        # Someone else added one of these people between our check and our write.
        return render_template("people/import_expired.html", conflict=True), 409
    staff_import.discard_upload(token)
    # Invitations are emailed by apply(); links are listed only if the email failed.
    unsent = result.invitations_sent < len(result.invite)
    links = [(user, invitation_url(user)) for user in result.invite] if unsent else []
    return render_template("people/import_done.html", result=result, links=links, filename=upload.filename)


@bp.route("/import-staff/template.csv")
@role_required(Role.AGENCY_LEAD)
def import_template():
    """An empty file with the column headings, to fill in."""
    return Response("name,email,job title,team,agency\r\n", mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=staff-import-template.csv"})
