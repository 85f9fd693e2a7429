"""Courses, sessions, bookings, wait lists and registers.

Capacity is enforced by the database: a booked place holds a seat number from 1 to the
session's capacity, and (session, seat) is unique. Two people racing for the last seat
cannot both get it; the loser is told the truth (wait list) after a retry.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from learning.learner.attempts import certificate_code
from learning.extensions import db
from learning.models import Agency, Booking, BookingStatus, Completion, CompletionSource, Course, CourseSession, Module, User, utcnow
from learning.compliance.status import add_months

ACTIVE = (BookingStatus.BOOKED.value, BookingStatus.WAITLISTED.value)
REGISTER_MARKS = (BookingStatus.ATTENDED, BookingStatus.ABSENT, BookingStatus.CANCELLED_LATE)
RETRIES = 5


class BookingError(ValueError):
    """Something a person asked for that cannot be done; the message says why."""


def create_course(title: str, description: str, validity_months: int, modules: list[Module]) -> Course:
    course = Course(title=title.strip(), description=description.strip(), validity_months=validity_months,
                    modules=modules)
    db.session.add(course)
    db.session.commit()
    return course


def create_session(course: Course, starts_at: datetime, ends_at: datetime, venue: str, online: bool,
                   capacity: int, trainer: str) -> CourseSession:
    if ends_at <= starts_at:
        raise BookingError("The session must end after it starts")
    if capacity < 1:
        raise BookingError("Capacity must be at least 1")
    session = CourseSession(course_id=course.id, starts_at=starts_at, ends_at=ends_at, venue=venue.strip(),
                            online=online, capacity=capacity, trainer=trainer.strip())
    db.session.add(session)
    db.session.commit()
    return session


def places_taken(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{session id: (booked, waitlisted)} in one query."""
    rows = db.session.execute(
        select(Booking.session_id, Booking.status, func.count())
        .where(Booking.session_id.in_(session_ids), Booking.status.in_(ACTIVE))
        .group_by(Booking.session_id, Booking.status)
    ).all()
    result = {sid: (0, 0) for sid in session_ids}
    for sid, status, count in rows:
        booked, waiting = result[sid]
        result[sid] = (count, waiting) if status == BookingStatus.BOOKED.value else (booked, count)
    return result


def _free_seat(session: CourseSession) -> int | None:
    taken = set(db.session.scalars(
        select(Booking.seat).where(Booking.session_id == session.id, Booking.seat.is_not(None))
    ))
    waiting = db.session.scalar(select(func.count(Booking.id)).where(
        Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED.value))
    if waiting:
        return None  # people already waiting go first
    return next((n for n in range(1, session.capacity + 1) if n not in taken), None)


def book(session: CourseSession, user: User, now: datetime | None = None) -> Booking:
    """A place if one is free, else a place on the wait list. Booking twice changes nothing."""
    now = now or utcnow()
    if session.starts_at <= now:
        raise BookingError("This session has already started, so it can no longer be booked")
    for _ in range(RETRIES):
        existing = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
        if existing and existing.status in ACTIVE:
            return existing
        seat = _free_seat(session)
        status = BookingStatus.BOOKED if seat else BookingStatus.WAITLISTED
        if existing:
            existing.status, existing.seat, existing.created_at, existing.updated_at = status.value, seat, now, now
            booking = existing
        else:
            booking = Booking(session_id=session.id, user_id=user.id, status=status.value, seat=seat,
                              created_at=now, updated_at=now)
            db.session.add(booking)
        try:
            db.session.commit()
            return booking
        except IntegrityError:
            # Someone took that seat (or this person booked in another tab): look again.
            db.session.rollback()
    raise BookingError("The session is very busy right now. Try again in a moment")


def cancel(booking: Booking, now: datetime | None = None) -> Booking | None:
    """Cancel up to the start; the freed place goes to the first person waiting.
    Returns the promoted booking, if any."""
    now = now or utcnow()
    if booking.status not in ACTIVE:
        raise BookingError("This booking is not active")
    session = booking.session
    if session.starts_at <= now:
        raise BookingError("The session has started. Ask the course coordinator to record a late cancellation")
    freed = booking.seat
    booking.status, booking.seat, booking.updated_at = BookingStatus.CANCELLED.value, None, now
    db.session.commit()
    return promote(session, freed, now) if freed else None


def promote(session: CourseSession, seat: int, now: datetime | None = None) -> Booking | None:
    now = now or utcnow()
    waiting = db.session.scalars(
        select(Booking).where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED.value)
        .order_by(Booking.created_at, Booking.id)
    ).all()
    for candidate in waiting:
        try:
            # An UPDATE's result is a CursorResult (with rowcount); execute is typed for any statement.
            claimed = cast(CursorResult, db.session.execute(
                update(Booking).where(Booking.id == candidate.id, Booking.status == BookingStatus.WAITLISTED.value)
                .values(status=BookingStatus.BOOKED.value, seat=seat, updated_at=now)
            )).rowcount
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return None  # the seat went to someone else in the meantime
        if claimed:
            db.session.refresh(candidate)
            return candidate
    return None


def take_register(session: CourseSession, marks: dict[int, BookingStatus], now: datetime | None = None) -> int:
    """Mark bookings attended, absent or cancelled late. Attendance completes every module
    the course counts for (valid for the course's validity from the session date); marking
    someone absent afterwards revokes those completions. Returns completions written."""
    now = now or utcnow()
    if session.starts_at > now:
        raise BookingError("You can take the register once the session has started")
    bookings = {b.id: b for b in session.bookings if b.status not in (BookingStatus.CANCELLED.value, BookingStatus.WAITLISTED.value)}
    unknown = set(marks) - set(bookings)
    if unknown:
        raise BookingError("The register included a booking that is not on this session")
    course = session.course
    existing = {(c.booking_id, c.module_id): c for c in db.session.scalars(
        select(Completion).where(Completion.booking_id.in_(list(bookings)))
    )} if bookings else {}
    written = 0
    for booking_id, mark in marks.items():
        if mark not in REGISTER_MARKS:
            raise BookingError("Mark each person as attended, did not attend or cancelled late")
        booking = bookings[booking_id]
        booking.status, booking.updated_at = mark.value, now
        for module in course.modules:
            completion = existing.get((booking.id, module.id))
            if mark is BookingStatus.ATTENDED:
                if completion is None:
                    db.session.add(Completion(
                        user_id=booking.user_id, module_id=module.id, booking_id=booking.id,
                        completed_at=session.starts_at, expires_at=add_months(session.starts_at, course.validity_months),
                        module_version=module.version, score=None, source=CompletionSource.COURSE.value,
                        certificate_code=certificate_code(),
                    ))
                    written += 1
                elif completion.revoked_at is not None:
                    completion.revoked_at = None
                    written += 1
            elif completion is not None and completion.revoked_at is None:
                completion.revoked_at = now
    session.register_taken_at = now
    db.session.commit()
    return written


def non_attendance(agency_ids: tuple[int, ...] | None, start: date, end: date):
    """Bookings marked did-not-attend or cancelled-late for sessions in the date range."""
    query = (
        select(Agency.name.label("agency"), User.name, User.email, User.job_title, Course.title.label("course"),
               CourseSession.starts_at, CourseSession.venue, Booking.status)
        .join(User, User.id == Booking.user_id)
        .join(Agency, Agency.id == User.agency_id)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(Booking.status.in_([BookingStatus.ABSENT.value, BookingStatus.CANCELLED_LATE.value]),
               CourseSession.starts_at >= datetime.combine(start, time.min),
               CourseSession.starts_at < datetime.combine(end + timedelta(days=1), time.min))
        .order_by(Agency.name, CourseSession.starts_at, User.name)
    )
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    return db.session.execute(query).all()
