"""What the course views share: the one shape of a button's POST, the person search within
the viewer's scope, the session form's times, and the emails that follow a register."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import TypeVar

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from learning import audit
from learning.access import visible_users
from learning.courses import bookings as service
from learning.courses import notices
from learning.courses.forms import SessionForm
from learning.courses.times import from_local, local
from learning.extensions import db
from learning.fields import present
from learning.learner.forms import EmptyForm
from learning.models import Booking, BookingStatus, CourseSession, Role, User, utcnow

T = TypeVar("T")


def button(action: Callable[[], T], done: Callable[[T], str], back: str) -> ResponseReturnValue:
    """A button's POST: check the form, run the service call; a BookingError is flashed as
    the reason it could not be done, else `done` (audit, emails) gives the success message.
    Back to `back` either way."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = action()
    except service.BookingError as exc:
        flash(str(exc))
    else:
        flash(done(result), "success")
    return redirect(back)


def booked(booking: Booking, on_behalf: bool = False) -> str:
    """Emails the person just booked or wait-listed; the message to show (to them, or to
    whoever booked them on their behalf, which is audited)."""
    notices.send_notices([notices.for_booking(booking)])
    if not on_behalf:
        if booking.status == BookingStatus.BOOKED.value:
            return f"You are booked on {booking.session.course.title}."
        return "The session is full, so you are on the wait list. We will give you a place if someone cancels."
    audit.record("booking_on_behalf", {"session": booking.session_id, "user": booking.user_id, "status": booking.status})
    where = "a place" if booking.status == BookingStatus.BOOKED.value else "the wait list"
    return f"{booking.user.name} is on {where} and has been emailed."


def search(query: str) -> list[User]:
    """Active people the viewer may see whose name or email contains `query`."""
    if len(query) < 2:
        return []
    pattern = f"%{query.lower()}%"
    return list(db.session.scalars(
        visible_users(current_user).where(User.active.is_(True), or_(
            User.name.ilike(pattern), User.email.ilike(pattern))).order_by(User.name).limit(20)))


def person_in_scope_or_404() -> User:
    """The person posted as user_id, if the viewer may see them (an agency lead: their own
    staff); anyone else is a 404, like an id that does not exist."""
    user_id = request.form.get("user_id", type=int) or 0
    return db.session.scalar(visible_users(current_user).where(User.id == user_id, User.active.is_(True))) or abort(404)


def scope_bookings(session: CourseSession) -> list[Booking]:
    """The session's bookings of people the viewer may see (an agency lead: their own
    staff), with each person, in one query."""
    return list(db.session.scalars(
        select(Booking).options(joinedload(Booking.user))
        .where(Booking.session_id == session.id,
               Booking.user_id.in_(visible_users(current_user).with_only_columns(User.id)))
        .order_by(Booking.created_at, Booking.id)))


def did_not_attend(session: CourseSession, absent: list[Booking]) -> list[notices.Notice]:
    out = []
    for booking in absent:
        out.append(notices.Notice(notices.DID_NOT_ATTEND, session, booking.user, booking))
        if booking.user.agency_id is None:
            continue
        leads = db.session.scalars(select(User).where(
            User.agency_id == booking.user.agency_id, User.role == Role.AGENCY_LEAD.value, User.active.is_(True),
            User.id != booking.user_id))
        out.extend(notices.Notice(notices.LEAD_DID_NOT_ATTEND, session, lead, booking, about=booking.user)
                   for lead in leads)
    return out


def _time(text: str) -> time:
    return datetime.strptime(text.replace(".", ":"), "%H:%M").time()


def read_times(form: SessionForm) -> tuple[datetime, datetime] | None:
    """The start and end typed (the partnership's local time) as stored UTC times, or None
    with the reason on the form's fields."""
    day = present(form.day.data)
    starts = from_local(datetime.combine(day, _time(present(form.starts.data))))
    ends = from_local(datetime.combine(day, _time(present(form.ends.data))))
    if ends <= starts:
        form.ends.errors = [*form.ends.errors, "The end time must be after the start time"]
    elif starts <= utcnow():
        form.day.errors = [*form.day.errors, "The session must be in the future"]
    else:
        return starts, ends
    return None


def fill(form: SessionForm, session: CourseSession) -> None:
    """The session form as the session is now, in local time."""
    starts, ends = local(session.starts_at), local(session.ends_at)
    form.day.data = starts.date()
    form.starts.data, form.ends.data = f"{starts:%H:%M}", f"{ends:%H:%M}"
    form.venue.data, form.online.data, form.capacity.data = session.venue, session.online, session.capacity
    form.trainer.data, form.version.data = session.trainer, str(session.version)
