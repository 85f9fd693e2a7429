"""Workbooks as jobs: asking for one, building it with its progress, what the progress page
shows, and the clean-up that deletes old files and fails jobs whose worker died."""
from __future__ import annotations

import json
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from learning import audit
from learning.extensions import db
from learning.jobs.models import ACTIVE, Job, JobStatus
from learning.models import User, utcnow
from learning.storage import store

LOST_WORDS = "Your workbook stopped being prepared part-way (the server doing it was restarted). Try again."
NOT_TAKEN_WORDS = "Your workbook has not been started: the server that prepares workbooks is not running. Try again later."
# A job no worker has started after this many times JOB_STALE_MINUTES: no worker is running.
NOT_TAKEN_FACTOR = 3
SAVE_EVERY_SECONDS = 1.0


def scope_key(kind: str, params: dict) -> str:
    return f"{kind}:{json.dumps(params, sort_keys=True, default=str)}"[:400]


def request_job(user: User, kind: str, params: dict, filename: str) -> tuple[Job, bool]:
    """The job building `kind` for `params` for `user`: the one already queued or running
    for the same workbook, or a new one, queued. Returns (job, whether it is new)."""
    key = scope_key(kind, params)
    existing = db.session.scalar(select(Job).where(Job.user_id == user.id, Job.active_key == key))
    if existing is not None:
        audit.record("job_requested", {"job": existing.id, "kind": kind, "shared": True, **params})
        return existing, False
    job = Job(user_id=user.id, kind=kind, scope=json.dumps(params, sort_keys=True, default=str), active_key=key,
              filename=filename, status=JobStatus.QUEUED.value)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # the same request at the same moment: theirs won
        db.session.rollback()
        existing = db.session.scalar(select(Job).where(Job.user_id == user.id, Job.active_key == key))
        if existing is None:
            raise
        return existing, False
    audit.record("job_requested", {"job": job.id, "kind": kind, **params})
    enqueue(job)
    return job, True


def enqueue(job: Job) -> None:
    from learning.jobs.tasks import build_workbook

    build_workbook(job.id)


class Progress:
    """Counts rows as an exporter writes them and saves the count now and then (at most
    once a second), through a connection of its own: the export's own transaction holds its
    streamed read open, and must not be committed under it."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.done = 0
        self.expected = 0
        self.saved_at = 0.0

    def expect(self, rows: int) -> None:
        self.expected = rows
        self.save(force=True)

    def __call__(self, rows: int) -> None:
        self.done += rows
        if time.monotonic() - self.saved_at >= SAVE_EVERY_SECONDS:
            self.save()

    def save(self, force: bool = False) -> None:
        self.saved_at = time.monotonic()
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == self.job_id).values(
                rows_done=min(self.done, self.expected) if self.expected else self.done,
                rows_expected=self.expected, heartbeat_at=utcnow()))


def run_job(job_id: int) -> None:
    """Build the job's workbook into the file store. Any failure marks the job failed, in
    plain words for the person, with the traceback in the log."""
    from learning.jobs.kinds import KINDS

    job = db.session.get(Job, job_id)
    if job is None or job.status not in ACTIVE:
        return
    now = utcnow()
    job.status, job.started_at, job.heartbeat_at, job.tries = JobStatus.RUNNING.value, now, now, job.tries + 1
    job.rows_done = 0
    db.session.commit()
    progress = Progress(job.id)
    kind = KINDS[job.kind]
    key = None
    try:
        with tempfile.TemporaryFile() as out:
            counts = kind.build(out, job, progress)
            if kind.makes_file:
                out.seek(0)
                key = f"workbooks/job-{job.id}-{secrets.token_hex(8)}.xlsx"
                store().put(key, out)
    except Exception:  # noqa: BLE001 - every failure ends the job; the log has the traceback
        current_app.logger.exception("job %s (%s) failed", job_id, kind.label)
        db.session.rollback()
        _finish(job_id, JobStatus.FAILED, error=kind.failed)
        return
    db.session.rollback()  # ends the export's read
    _finish(job_id, JobStatus.DONE, file_key=key, rows_done=progress.expected or progress.done,
            result=json.dumps(counts, default=str))
    if kind.action:
        audit.record(kind.action, {"job": job_id, "via": "job", **json.loads(job.scope), **counts},
                     actor=db.session.get(User, job.user_id))


def _finish(job_id: int, status: JobStatus, **values) -> None:
    job = db.session.get(Job, job_id)
    if job is None:
        return
    job.status, job.finished_at, job.active_key = status.value, utcnow(), None
    for name, value in values.items():
        setattr(job, name, value)
    db.session.commit()


@dataclass(frozen=True)
class Figures:
    percent: int
    rows_done: int
    rows_expected: int
    seconds_left: int | None

    @property
    def time_left(self) -> str:
        if self.seconds_left is None:
            return "Working out how long this will take"
        if self.seconds_left < 60:
            return "Less than a minute left"
        minutes = round(self.seconds_left / 60)
        return f"About {minutes} minute{'' if minutes == 1 else 's'} left"


def figures(job: Job) -> Figures:
    """How far the job has got, and roughly how long it has left (from its pace so far)."""
    expected, done = job.rows_expected or 0, job.rows_done or 0
    if job.status == JobStatus.DONE.value:
        return Figures(100, expected or done, expected or done, 0)
    percent = min(99, int(100 * done / expected)) if expected else 0
    left = None
    if job.status == JobStatus.RUNNING.value and job.started_at and done and expected:
        elapsed = (utcnow() - job.started_at).total_seconds()
        left = int(elapsed * (expected - done) / done)
    return Figures(percent, done, expected, left)


def expires_at(job: Job) -> datetime | None:
    """When the finished file is deleted, in the partnership's time zone (times are stored in UTC)."""
    if job.finished_at is None:
        return None
    ends = job.finished_at + timedelta(hours=current_app.config["JOB_FILE_HOURS"])
    return ends.replace(tzinfo=UTC).astimezone(ZoneInfo(current_app.config["TIME_ZONE"]))


def stale(job: Job) -> bool:
    """A running job whose worker has not saved progress for JOB_STALE_MINUTES (the worker
    died), or a queued one no worker has taken for as long after a try."""
    limit = utcnow() - timedelta(minutes=current_app.config["JOB_STALE_MINUTES"])
    if job.status == JobStatus.RUNNING.value:
        return (job.heartbeat_at or job.started_at or job.created_at) < limit
    return job.status == JobStatus.QUEUED.value and job.tries > 0 and (job.heartbeat_at or job.created_at) < limit


def never_taken(job: Job) -> bool:
    """A job still queued, never started, long after it was asked for: no worker is running."""
    minutes = current_app.config["JOB_STALE_MINUTES"] * NOT_TAKEN_FACTOR
    return job.status == JobStatus.QUEUED.value and job.tries == 0 and job.created_at < utcnow() - timedelta(minutes=minutes)


def recover(job: Job) -> None:
    """A job that lost its worker is queued once more; after a second loss it fails. One no
    worker ever took fails too (the log says no worker is running), never waiting for ever."""
    if never_taken(job):
        current_app.logger.error("job %s was never started: is a worker running (flask --app app worker)?", job.id)
        _finish(job.id, JobStatus.FAILED, error=NOT_TAKEN_WORDS)
        return
    if not stale(job):
        return
    if job.tries < 2:
        job.status, job.heartbeat_at = JobStatus.QUEUED.value, utcnow()
        db.session.commit()
        current_app.logger.warning("job %s lost its worker: queued again", job.id)
        enqueue(job)
    else:
        current_app.logger.error("job %s lost its worker twice: marked failed", job.id)
        _finish(job.id, JobStatus.FAILED, error=LOST_WORDS)


def clean_up() -> dict:
    """Delete finished workbooks older than JOB_FILE_HOURS (and their jobs' file keys), and
    recover or fail jobs whose worker died. Run by the worker every few minutes."""
    now = utcnow()
    cutoff = now - timedelta(hours=current_app.config["JOB_FILE_HOURS"])
    files = store()
    expired = db.session.scalars(select(Job).where(Job.file_key.is_not(None), Job.finished_at < cutoff)).all()
    for job in expired:
        if job.file_key:
            files.delete(job.file_key)
        job.file_key = None
    db.session.commit()
    recovered = 0
    for job in db.session.scalars(select(Job).where(Job.status.in_(ACTIVE))).all():
        if stale(job) or never_taken(job):
            recover(job)
            recovered += 1
    return {"files_deleted": len(expired), "jobs_recovered": recovered}
