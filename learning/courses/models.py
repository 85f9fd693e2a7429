"""Face-to-face courses: a course, its sessions, the places booked on them and the emails
sent about them (typed SQLAlchemy 2.0; the rest of the data model is learning/models.py)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.extensions import Model, db
from learning.models import Module, User, utcnow

course_module = db.Table(
    "course_module",
    db.Column("course_id", ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
    db.Column("module_id", ForeignKey("module.id"), primary_key=True),
)


class Course(Model):
    """A face-to-face course; attending a session completes the modules it counts for."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    validity_months: Mapped[int] = mapped_column(Integer, default=24)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    modules: Mapped[list[Module]] = relationship(secondary=course_module, order_by="Module.id")
    sessions: Mapped[list[CourseSession]] = relationship(back_populates="course", order_by="CourseSession.starts_at")


class CourseSession(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    venue: Mapped[str] = mapped_column(String(300))
    online: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    capacity: Mapped[int] = mapped_column(Integer)
    trainer: Mapped[str] = mapped_column(String(200), default="")
    register_taken_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Raised by every change: the edit form's version check, and the calendar invite's SEQUENCE.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    course: Mapped[Course] = relationship(back_populates="sessions")
    bookings: Mapped[list[Booking]] = relationship(back_populates="session", order_by="Booking.created_at")


class BookingStatus(str, enum.Enum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    ABSENT = "absent"
    CANCELLED_LATE = "cancelled_late"

    @property
    def label(self) -> str:
        return {"booked": "Booked", "waitlisted": "On the wait list", "cancelled": "Cancelled",
                "attended": "Attended", "absent": "Did not attend", "cancelled_late": "Cancelled late"}[self.value]


class Booking(Model):
    """A place on a session. Places are numbered seats 1..capacity, unique per session,
    so the database itself refuses a booking beyond capacity, however many requests race."""

    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        UniqueConstraint("session_id", "seat"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    seat: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Added on the register by a coordinator: attended without booking.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The two-day reminder: set when claimed, so each booking is reminded once.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    session: Mapped[CourseSession] = relationship(back_populates="bookings")
    user: Mapped[User] = relationship()

    @property
    def status_enum(self) -> BookingStatus:
        return BookingStatus(self.status)


class SessionEmail(Model):
    """Every course email: who it went to, what it was, when, about which session."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    delivered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

    user: Mapped[User] = relationship()
