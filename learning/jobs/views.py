"""A workbook being prepared: its progress page (refreshed by the page itself, or smoothly
by a little script reading the status as JSON), the download when done, and Try again.

Only the person who asked sees any of it: anyone else gets a 404, as for a job that does
not exist. A person who has since lost the agencies (or role) the workbook covers is
refused it (403). Every request and download is in the audit trail."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from learning import audit
from learning.access import role_required
from learning.extensions import db
from learning.jobs import service
from learning.jobs.kinds import KINDS
from learning.jobs.models import Job, JobStatus
from learning.learner.forms import EmptyForm
from learning.models import Role
from learning.storage import store

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
# Without JavaScript the page reloads itself this often, unless the person stops it
# (?updates=off: WCAG 2.2.1, a timed refresh the person can turn off).
REFRESH_SECONDS = 5


def send_or_queue(kind: str, params: dict, filename: str, size: int, send_now: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """A workbook over LARGE_EXPORT_STAFF (staff, or rows for one person's data) becomes a
    job and the person goes to its progress page; a smaller one is sent at once."""
    if size < current_app.config["LARGE_EXPORT_STAFF"]:
        return send_now()
    job, _ = service.request_job(current_user, kind, params, filename)
    return redirect(url_for("jobs.progress", job_id=job.id))


def _own_job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != current_user.id or job.kind not in KINDS:
        abort(404)
    service.recover(job)  # a job whose worker died is queued again or failed, not left "preparing"
    return job


def _state(job: Job) -> dict:
    figures = service.figures(job)
    kept = job.file_key is not None
    return {"status": job.status, "rows_done": figures.rows_done, "rows_expected": figures.rows_expected,
            "percent": figures.percent, "time_left": figures.time_left, "kept": kept,
            "download": url_for("jobs.download", job_id=job.id) if job.status == JobStatus.DONE.value and kept else None}


@bp.route("/<id:job_id>")
@role_required(Role.AGENCY_LEAD)
def progress(job_id: int):
    job = _own_job_or_404(job_id)
    return render_template("jobs/progress.html", job=job, kind=KINDS[job.kind], state=_state(job),
                           figures=service.figures(job), expires=service.expires_at(job),
                           refresh=REFRESH_SECONDS if job.active and request.args.get("updates") != "off" else None, form=EmptyForm())


@bp.route("/<id:job_id>/status")
@role_required(Role.AGENCY_LEAD)
def status(job_id: int):
    return jsonify(_state(_own_job_or_404(job_id)))


@bp.route("/<id:job_id>/download")
@role_required(Role.AGENCY_LEAD)
def download(job_id: int):
    job = _own_job_or_404(job_id)
    if job.status != JobStatus.DONE.value or job.file_key is None:
        return redirect(url_for("jobs.progress", job_id=job.id))
    if not KINDS[job.kind].allowed(current_user, job.params):
        audit.record("job_download_refused", {"job": job.id, "kind": job.kind})
        abort(403)
    files = store()
    if not files.exists(job.file_key):
        abort(404)
    audit.record("job_download", {"job": job.id, "kind": job.kind})
    response = Response(stream_with_context(files.chunks(job.file_key)), mimetype=KINDS[job.kind].mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


@bp.route("/<id:job_id>/retry", methods=["POST"])
@role_required(Role.AGENCY_LEAD)
def retry(job_id: int):
    job = _own_job_or_404(job_id)
    if job.active or not EmptyForm().validate_on_submit():
        return redirect(url_for("jobs.progress", job_id=job.id))
    if not KINDS[job.kind].allowed(current_user, job.params):
        abort(403)
    again, _ = service.request_job(current_user, job.kind, job.params, job.filename)
    return redirect(url_for("jobs.progress", job_id=again.id))
