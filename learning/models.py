"""The data model (typed SQLAlchemy 2.0). See ARCHITECTURE.md for the picture."""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from learning.auth.passwords import normalise as normalise_password
from learning.extensions import Model, db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Role(str, enum.Enum):
    """Roles are cumulative: each includes everything the ones before it may do."""

    PRACTITIONER = "practitioner"
    AGENCY_LEAD = "agency_lead"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        return {"practitioner": "Practitioner", "agency_lead": "Agency training lead",
                "coordinator": "Partnership training coordinator", "admin": "Administrator"}[self.value]


# The people whose learning is tracked and reported: the multi-agency workforce.
# Coordinators and admins run the service; they are not counted in agency compliance.
WORKFORCE_ROLES = ("practitioner", "agency_lead")


class Sector(str, enum.Enum):
    POLICE = "police"
    HEALTH = "health"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    EDUCATION = "education"
    PROBATION = "probation"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"childrens_social_care": "Children's social care"}.get(self.value, self.value.capitalize())


class Agency(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(40), default=Sector.OTHER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

    teams: Mapped[list[Team]] = relationship(back_populates="agency", order_by="Team.name")


class Team(Model):
    __table_args__ = (UniqueConstraint("agency_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship(back_populates="teams")


class HasRole:
    """The role checks, in one place: shared by the `User` model and the signed-in person
    (learning/auth/signed_in.py), on a `role` attribute holding a Role value."""

    if TYPE_CHECKING:
        role: str

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, minimum: Role) -> bool:
        return self.role_enum.rank >= minimum.rank


class User(HasRole, UserMixin, Model):
    # Staff lists are ordered by name: a page is the next few entries of one of these
    # (everyone's, or one agency's).
    __table_args__ = (Index("ix_user_name", "name", "id"), Index("ix_user_agency_name", "agency_id", "name", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness and sign-in are case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default=Role.PRACTITIONER.value)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped at sign-out (and whenever access must end at once): every session records the
    # value it started with, and one that no longer matches is over, on every device.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # When the last invitation or password-reset email was sent. Each is part of what its
    # link is signed against, so sending a new link stops the older one working.
    invitation_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_reset_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Two-factor sign-in (learning/auth/two_factor.py): the TOTP secret (base32) once set
    # up, and the last time-step a code was accepted for, so each code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    agency: Mapped[Agency | None] = relationship()
    team: Mapped[Team | None] = relationship()

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    def set_password(self, password: str) -> None:
        from flask import current_app

        self.password_hash = generate_password_hash(normalise_password(password),
                                                    method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        if not self.password_hash:  # an invited account that has not chosen a password yet
            return False
        return check_password_hash(self.password_hash, normalise_password(password))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

class RecoveryCode(Model):
    """A single-use code that signs a person in when their authenticator app is lost. Only a
    salted hash is kept (werkzeug, like passwords): the codes are shown once, at set-up."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class Module(Model):
    """One row per catalogue module, synced from quizzes/ so reports can join on it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    validity_months: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer)

    requirements: Mapped[list[Requirement]] = relationship(cascade="all, delete-orphan")


class Requirement(Model):
    """A module is required learning for the staff of every agency in `sector`.

    Rows are created for every sector when a module first appears (the default: every
    module for every practitioner); a coordinator removes or adds them."""

    __table_args__ = (UniqueConstraint("module_id", "sector"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    sector: Mapped[str] = mapped_column(String(40))


class AttemptStatus(str, enum.Enum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Attempt(Model):
    __table_args__ = (
        # At most one open attempt per person and module, even under concurrent starts.
        Index(
            "uq_attempt_open",
            "user_id",
            "module_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        Index("ix_attempt_user_module", "user_id", "module_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    module_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=AttemptStatus.IN_PROGRESS.value)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    score: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # The stages shown, in order, including any consequence stage a decision led to.
    path: Mapped[list] = mapped_column(JSON, default=list)

    user: Mapped[User] = relationship()
    module: Mapped[Module] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def percent(self) -> int:
        return round(100 * (self.score or 0) / self.total) if self.total else 0


class AttemptQuestion(Model):
    """A question drawn into an attempt, with its shuffled options and the answer given.

    The first answer is final: it is what the learner got feedback on, and what the
    misconception report counts.
    """

    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(100))
    option_order: Mapped[list] = mapped_column(JSON)
    answer: Mapped[list | None] = mapped_column(JSON)
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="questions")


class CompletionSource(str, enum.Enum):
    ELEARNING = "e-learning"
    COURSE = "course"
    EXTERNAL = "external"


class Completion(Model):
    __table_args__ = (
        # Status lookups ask for the latest expiry of one person's module.
        Index("ix_completion_user_module_expiry", "user_id", "module_id", "expires_at"),
        # Attending a course, or an approved external record, completes each module it
        # counts for once.
        UniqueConstraint("booking_id", "module_id"),
        UniqueConstraint("external_record_id", "module_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    # Unique: however many times an attempt is submitted, it yields one completion.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id"), unique=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    module_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default=CompletionSource.ELEARNING.value)
    certificate_code: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    external_record_id: Mapped[int | None] = mapped_column(ForeignKey("external_record.id"))
    # "What will you do differently?": the person's own words, optional. Their agency lead
    # sees it only when reflection_shared is set (learning/learner/reflection.py).
    reflection: Mapped[str | None] = mapped_column(Text)
    reflection_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    user: Mapped[User] = relationship()
    module: Mapped[Module] = relationship()


class AuditEvent(Model):
    """Who did what, when. Append-only: no view edits or deletes these rows."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_email: Mapped[str | None] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(50), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str | None] = mapped_column(String(64))


external_record_module = db.Table(
    "external_record_module",
    db.Column("external_record_id", ForeignKey("external_record.id", ondelete="CASCADE"), primary_key=True),
    db.Column("module_id", ForeignKey("module.id"), primary_key=True),
)


class ExternalRecord(Model):
    """Training done elsewhere, recorded by the practitioner, approved by a coordinator
    or their agency lead, who maps it to the modules it counts for."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300))
    completed_on: Mapped[date] = mapped_column(Date)
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    evidence_file: Mapped[str | None] = mapped_column(String(200))
    evidence_filename: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    modules: Mapped[list[Module]] = relationship(secondary=external_record_module)


class ReminderSent(Model):
    """One row per reminder sent, so each expiry is reminded about once per window."""

    __table_args__ = (UniqueConstraint("user_id", "module_id", "expires_at", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20), default="practitioner")
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ComplianceSnapshot(Model):
    """How many required (person, module) pairs of each agency had each status on a day:
    the compliance figures kept daily (`flask --app app snapshot`), so that a board can see
    whether compliance is getting better. One row per (day, agency, module, status)."""

    __tablename__ = "compliance_snapshot"
    # An agency's dashboard reads that agency's days (its trend and its change since launch).
    __table_args__ = (Index("ix_compliance_snapshot_agency_day", "agency_id", "day"),)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    people: Mapped[int] = mapped_column(Integer)


class ReportSubscription(Model):
    """A compliance workbook emailed every week or month to a list of addresses, for the
    scope of the person who set it up (learning/compliance/scheduled.py). It ends when they
    unsubscribe, when its last address does, or when its owner can no longer see that scope."""

    __tablename__ = "report_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))  # None: every agency
    frequency: Mapped[str] = mapped_column(String(10))  # weekly or monthly
    recipients: Mapped[str] = mapped_column(Text)  # one address a line
    next_due: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    owner: Mapped[User] = relationship()
    agency: Mapped[Agency | None] = relationship()

    @property
    def addresses(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line]


# Models that live with their capability (courses, the compliance summary, impact, jobs,
# stored files), imported here so that every model is importable from this module and
# Alembic sees every table.
from learning.compliance.counted_table import CountedFigures  # noqa: E402, F401
from learning.compliance.summary_table import ComplianceSummary  # noqa: E402, F401
from learning.courses.models import (  # noqa: E402, F401
    Booking,
    BookingStatus,
    Course,
    CourseSession,
    SessionEmail,
    course_module,
)
from learning.impact.models import ConfidenceRating, CourseEvaluation, FollowUp  # noqa: E402, F401
from learning.jobs.models import Job  # noqa: E402, F401
from learning.storage import StoredFileChunk  # noqa: E402, F401
