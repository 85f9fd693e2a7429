"""The impact data: confidence ratings, course evaluations and follow-ups (typed SQLAlchemy
2.0). The free text in them is personal data: the subject access workbook includes it, and
erasure removes it while the figures stay (learning/data_protection)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.extensions import Model
from learning.models import Completion, User, utcnow

LOWEST, HIGHEST = 1, 5


class Moment(str, enum.Enum):
    BEFORE = "before"
    AFTER = "after"


class ConfidenceRating(Model):
    """How confident one person is (1 to 5) in one learning outcome, named by its
    recommendation, before or after a module attempt or a course (a booking)."""

    __tablename__ = "confidence_rating"
    __table_args__ = (
        UniqueConstraint("attempt_id", "moment", "recommendation"),
        UniqueConstraint("booking_id", "moment", "recommendation"),
        CheckConstraint(f"rating BETWEEN {LOWEST} AND {HIGHEST}", name="ck_confidence_rating_range"),
        CheckConstraint("(attempt_id IS NULL) <> (booking_id IS NULL)", name="ck_confidence_rating_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    moment: Mapped[str] = mapped_column(String(10))
    recommendation: Mapped[str] = mapped_column(String(100), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Used(str, enum.Enum):
    YES = "yes"
    NO = "no"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "not_yet": "Not yet"}[self.value]


class FollowUp(Model):
    """"Have you used this learning in your practice?", asked once per completion some
    months after it; answered once."""

    __tablename__ = "follow_up"
    id: Mapped[int] = mapped_column(primary_key=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completion.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    used: Mapped[str | None] = mapped_column(String(10))
    example: Mapped[str | None] = mapped_column(Text)
    barriers: Mapped[str | None] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    completion: Mapped[Completion] = relationship()
    user: Mapped[User] = relationship()


class CourseEvaluation(Model):
    """One evaluation per attended booking: usefulness (1 to 5), what the person will do
    differently and any other comments. Confidence per outcome is in ConfidenceRating."""

    __tablename__ = "course_evaluation"
    __table_args__ = (
        CheckConstraint(f"usefulness IS NULL OR usefulness BETWEEN {LOWEST} AND {HIGHEST}",
                        name="ck_course_evaluation_usefulness"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    usefulness: Mapped[int | None] = mapped_column(Integer)
    differently: Mapped[str | None] = mapped_column(Text)
    comments: Mapped[str | None] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    user: Mapped[User] = relationship()
