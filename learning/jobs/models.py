"""A workbook (or other long piece of work) asked for from the web and done by the worker:
who asked, for what, how far it has got, and where the finished file is kept."""
from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import Model
from learning.models import utcnow


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class Job(Model):
    __table_args__ = (UniqueConstraint("user_id", "active_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # What to build (a key of learning.jobs.kinds.KINDS) and for what: the kind's own
    # parameters as JSON (agencies, filters, module, dates, person).
    kind: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(Text, default="{}")
    # While the job is queued or running: kind and scope, so a second request for the same
    # workbook by the same person finds this job (unique per person); None once it ends.
    active_key: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.QUEUED.value, index=True)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_expected: Mapped[int] = mapped_column(Integer, default=0)
    # How many times a worker has started it (a job whose worker died is tried once more).
    tries: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Written with the progress: a running job whose heartbeat stops has lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    file_key: Mapped[str | None] = mapped_column(String(140))
    filename: Mapped[str] = mapped_column(String(200), default="")
    # For the person, in plain words; the traceback goes to the log.
    error: Mapped[str] = mapped_column(Text, default="")
    # What a job that makes no file did (a staff import's counts), as JSON.
    result: Mapped[str] = mapped_column(Text, default="")

    @property
    def params(self) -> dict:
        return json.loads(self.scope or "{}")

    @property
    def outcome(self) -> dict:
        return json.loads(self.result or "{}")

    @property
    def status_enum(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
