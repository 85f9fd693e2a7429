"""Courses, sessions, bookings, wait lists and registers.

Capacity is enforced by the database: a booked place holds a seat number from 1 to the
session's capacity, and (session, seat) is unique. Two people racing for the last seat
cannot both get it; the loser is told the truth (wait list) after a retry.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from learning.compliance.status import add_months
from learning.courses.times import from_local
from learning.extensions import db
from learning.learner.attempts import certificate_code
from learning.models import Agency, Booking, BookingStatus, Completion, CompletionSource, Course, CourseSession, Module, User, utcnow

ACTIVE = (BookingStatus.BOOKED.value, BookingStatus.WAITLISTED.value)
REGISTER_MARKS = (BookingStatus.ATTENDED, BookingStatus.ABSENT, BookingStatus.CANCELLED_LATE)
RETRIES = 5
# A place given up less than this before the session starts is a late cancellation: the
# booking is recorded as "cancelled late" (not just "cancelled"), so it shows on the register
# and in the non-attendance report, where partnerships count (and some charge for) them.
# A wait-list place given up is never late; nor is a place ended by cancelling the session.
LATE_CANCELLATION = timedelta(days=2)


class BookingError(ValueError):
    """Something a person asked for that cannot be done; the message says why."""


class StaleSession(BookingError):
    """The session changed since the form was opened: someone else saved first."""


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


# A place is taken by every booking on the register: booked, and after the register
# attended, did not attend or cancelled late (a walk-in too). Cancelled and wait-listed
# bookings hold no place, nor does a late cancellation made before the session: its seat
# went back (to the wait list), so only one the register marked, still holding its seat, counts.
TAKING_A_PLACE = (BookingStatus.BOOKED.value, BookingStatus.ATTENDED.value, BookingStatus.ABSENT.value)
_HOLDS_A_PLACE = or_(Booking.status.in_(TAKING_A_PLACE),
                     and_(Booking.status == BookingStatus.CANCELLED_LATE.value, Booking.seat.is_not(None)))


def places_taken(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{session id: (places taken, people waiting)} in one query: the one count of places
    that every page showing a session uses (the calendar, the session's page, and the
    course and session pages coordinators manage), before and after the register."""
    rows = db.session.execute(
        select(Booking.session_id, Booking.status, func.count())
        .where(Booking.session_id.in_(session_ids),
               or_(_HOLDS_A_PLACE, Booking.status == BookingStatus.WAITLISTED.value))
        .group_by(Booking.session_id, Booking.status)
    ).all()
    result = {sid: (0, 0) for sid in session_ids}
    for sid, status, count in rows:
        taken, waiting = result[sid]
        result[sid] = (taken, waiting + count) if status == BookingStatus.WAITLISTED.value else (taken + count, waiting)
    return result


def _free_seat(session: CourseSession) -> int | None:
    # The places as they are now, with the session row locked (on PostgreSQL) until this
    # booking commits, so a coordinator lowering the places at the same moment waits for it
    # and then counts it: no seat beyond the new number is handed out.
    capacity = db.session.scalar(
        select(CourseSession.capacity).where(CourseSession.id == session.id).with_for_update())
    taken = set(db.session.scalars(
        select(Booking.seat).where(Booking.session_id == session.id, Booking.seat.is_not(None))
    ))
    waiting = db.session.scalar(select(func.count(Booking.id)).where(
        Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED.value))
    if waiting:
        return None  # people already waiting go first
    return next((n for n in range(1, (capacity or 0) + 1) if n not in taken), None)


def book(session: CourseSession, user: User, now: datetime | None = None) -> Booking:
    """A place if one is free, else a place on the wait list. Booking twice changes nothing."""
    now = now or utcnow()
    if session.cancelled_at is not None:
        raise BookingError("This session has been cancelled, so it can no longer be booked")
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
            db.session.flush()
            if seat and seat > _places_now(session):
                # The places went down since they were read (SQLite takes its write lock
                # only now): this seat no longer exists, so look again.
                db.session.rollback()
                continue
            db.session.commit()
            return booking
        except IntegrityError:
            # Someone took that seat (or this person booked in another tab): look again.
            db.session.rollback()
    raise BookingError("The session is very busy right now. Try again in a moment")


def _places_now(session: CourseSession) -> int:
    return db.session.scalar(select(CourseSession.capacity).where(CourseSession.id == session.id)) or 0


def cancel(booking: Booking, now: datetime | None = None) -> Booking | None:
    """Cancel up to the start (late, within LATE_CANCELLATION of it, for a place); the
    freed place goes to the first person waiting. Returns the promoted booking, if any."""
    now = now or utcnow()
    if booking.status not in ACTIVE:
        raise BookingError("This booking is not active")
    session = booking.session
    if session.starts_at <= now:
        raise BookingError("The session has started. Ask the course coordinator to record a late cancellation")
    freed = booking.seat
    late = booking.status == BookingStatus.BOOKED.value and session.starts_at - now < LATE_CANCELLATION
    status = BookingStatus.CANCELLED_LATE if late else BookingStatus.CANCELLED
    booking.status, booking.seat, booking.updated_at = status.value, None, now
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


def update_course(course: Course, title: str, description: str, validity_months: int, modules: list[Module]) -> None:
    course.title, course.description = title.strip(), description.strip()
    course.validity_months, course.modules = validity_months, modules
    db.session.commit()


def cancel_course(course: Course, now: datetime | None = None) -> None:
    """Withdraw a course, once it has no sessions still to come (cancel those first)."""
    now = now or utcnow()
    if any(s.starts_at > now and s.cancelled_at is None for s in course.sessions):
        raise BookingError("This course still has sessions to come. Cancel them first, then cancel the course")
    course.active = False
    db.session.commit()


DETAILS = ("starts_at", "ends_at", "venue", "online")


def update_session(session: CourseSession, version: int, starts_at: datetime, ends_at: datetime, venue: str,
                   online: bool, capacity: int, trainer: str) -> tuple[bool, list[Booking]]:
    """Save a coordinator's edit of the session they saw at `version`. Returns whether the
    date, time or place changed (so everyone booked and waiting is told) and anyone given a
    place because places went up. StaleSession if someone else saved first; BookingError if
    the places would be fewer than the people booked."""
    if ends_at <= starts_at:
        raise BookingError("The session must end after it starts")
    if session.cancelled_at is not None:
        raise BookingError("This session has been cancelled, so it cannot be changed")
    before = tuple(getattr(session, name) for name in DETAILS)
    # Only the version the coordinator saw may be overwritten: the loser of two edits at once
    # is told, never silently undone.
    claimed = cast(CursorResult, db.session.execute(
        update(CourseSession).where(CourseSession.id == session.id, CourseSession.version == version)
        .values(version=CourseSession.version + 1, starts_at=starts_at, ends_at=ends_at, venue=venue.strip(),
                online=online, capacity=capacity, trainer=trainer.strip())
    )).rowcount
    if not claimed:
        db.session.rollback()
        raise StaleSession("This session was changed by someone else while you were editing it. "
                           "The form now shows the latest details: make your change again")
    booked = db.session.scalars(select(Booking).where(
        Booking.session_id == session.id, Booking.status == BookingStatus.BOOKED.value).order_by(Booking.seat)).all()
    if len(booked) > capacity:
        db.session.rollback()
        raise BookingError(f"{len(booked)} people are booked, so the session needs at least {len(booked)} places. "
                           "Remove bookings first to have fewer places")
    # Seats are numbered 1..places: anyone above the new number moves to a free one below it.
    taken = {b.seat for b in booked if b.seat and b.seat <= capacity}
    free = iter(n for n in range(1, capacity + 1) if n not in taken)
    for b in booked:
        if not b.seat or b.seat > capacity:
            b.seat = next(free)
    db.session.commit()
    db.session.refresh(session)
    changed = tuple(getattr(session, name) for name in DETAILS) != before
    promoted = []
    for seat in sorted(set(range(1, capacity + 1)) - {b.seat for b in booked}):
        if session.starts_at <= utcnow():
            break
        got = promote(session, seat)
        if got is None:
            break
        promoted.append(got)
    return changed, promoted


def cancel_session(session: CourseSession, reason: str, now: datetime | None = None) -> list[Booking]:
    """Cancel a session: every booking and wait-list place ends; the session stays in the
    records, marked cancelled. Returns the bookings that ended (for their emails)."""
    now = now or utcnow()
    if session.cancelled_at is not None:
        raise BookingError("This session is already cancelled")
    if session.starts_at <= now:
        raise BookingError("This session has started, so it can no longer be cancelled")
    ended = [b for b in session.bookings if b.status in ACTIVE]
    for b in ended:
        b.status, b.seat, b.updated_at = BookingStatus.CANCELLED.value, None, now
    session.cancelled_at, session.cancel_reason = now, reason.strip()
    session.version += 1
    db.session.commit()
    return ended


def move_from_wait_list(booking: Booking, now: datetime | None = None) -> Booking:
    """A coordinator gives a waiting person a free place, whatever their place in the queue."""
    now = now or utcnow()
    session = booking.session
    if booking.status != BookingStatus.WAITLISTED.value:
        raise BookingError("This person is not on the wait list")
    if session.starts_at <= now:
        raise BookingError("The session has started: add them on the register instead")
    taken = set(db.session.scalars(select(Booking.seat).where(Booking.session_id == session.id, Booking.seat.is_not(None))))
    seat = next((n for n in range(1, session.capacity + 1) if n not in taken), None)
    if seat is None:
        raise BookingError("Every place is taken. Add a place to the session, or remove a booking, first")
    booking.status, booking.seat, booking.updated_at = BookingStatus.BOOKED.value, seat, now
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise BookingError("Someone took that place just now. Try again") from None
    return booking


def add_walk_in(session: CourseSession, user: User, now: datetime | None = None) -> Booking:
    """Someone who came without booking: on the register as attended, with the completion
    that follows, as for a booked attendee."""
    now = now or utcnow()
    if session.cancelled_at is not None:
        raise BookingError("This session was cancelled")
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
    if booking is None:
        booking = Booking(session_id=session.id, user_id=user.id, status=BookingStatus.ATTENDED.value, seat=None,
                          created_at=now, updated_at=now, walk_in=True)
        db.session.add(booking)
    elif booking.status in (BookingStatus.CANCELLED.value, BookingStatus.WAITLISTED.value):
        booking.status, booking.seat, booking.walk_in = BookingStatus.ATTENDED.value, None, True
    db.session.flush()  # gives a new booking its id
    take_register(session, {booking.id: BookingStatus.ATTENDED}, now)
    return booking


def _register_open(session: CourseSession, now: datetime) -> None:
    if session.starts_at > now:
        raise BookingError("You can take the register once the session has started")
    if session.cancelled_at is not None:
        raise BookingError("This session was cancelled, so it has no register")


def take_register(session: CourseSession, marks: dict[int, BookingStatus], now: datetime | None = None) -> int:
    """Mark bookings attended, absent or cancelled late. Attendance completes every module
    the course counts for (valid for the course's validity from the session date); marking
    someone absent afterwards revokes those completions. Returns completions written."""
    now = now or utcnow()
    _register_open(session, now)
    db.session.flush()  # a walk-in just added is one of the session's bookings
    db.session.expire(session, ["bookings"])
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
    """Bookings marked did-not-attend or cancelled-late for sessions in the date range (days
    in the partnership's local time)."""
    query = (
        select(Agency.name.label("agency"), User.name, User.email, User.job_title, Course.title.label("course"),
               CourseSession.starts_at, CourseSession.venue, Booking.status)
        .join(User, User.id == Booking.user_id)
        .join(Agency, Agency.id == User.agency_id)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(Booking.status.in_([BookingStatus.ABSENT.value, BookingStatus.CANCELLED_LATE.value]),
               CourseSession.starts_at >= from_local(datetime.combine(start, time.min)),
               CourseSession.starts_at < from_local(datetime.combine(end + timedelta(days=1), time.min)))
        .order_by(Agency.name, CourseSession.starts_at, User.name)
    )
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    return db.session.execute(query).all()
