"""The course evaluation, once per attended booking: how useful the course was (1 to 5),
confidence before and after in each learning outcome of the modules the course counts
for, what the person will do differently and other comments. Reached from My learning and
from an emailed link (sent by `flask --app app send-follow-ups` once the register marks the
person attended)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from learning.auth.emails import compose
from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.impact import confidence, in_batches
from learning.impact.models import HIGHEST, LOWEST, CourseEvaluation, Moment
from learning.links import absolute_url
from learning.mail import send
from learning.models import Booking, BookingStatus, Course, CourseSession, User, utcnow

# Attendance older than this is not invited to evaluate when the command first runs.
LATEST_DAYS = 60
BATCH = 500  # bookings claimed together, in one commit, and their messages then sent


def outcomes_of(course: Course) -> list[tuple[str, str]]:
    """(recommendation, outcome text) for each outcome of the course's modules, once each."""
    modules = catalogue().modules
    found: dict[str, str] = {}
    for module in course.modules:
        content = modules.get(module.slug)
        for outcome in content.outcomes if content else ():
            found.setdefault(outcome.recommendation, outcome.text)
    return list(found.items())


def attended(booking: Booking) -> bool:
    return booking.status == BookingStatus.ATTENDED.value


def submitted(booking_id: int) -> bool:
    return db.session.scalar(select(CourseEvaluation.id).where(
        CourseEvaluation.booking_id == booking_id, CourseEvaluation.submitted_at.is_not(None))) is not None


@dataclass(frozen=True)
class Evaluation:
    usefulness: int
    before: dict[str, int]
    after: dict[str, int]
    differently: str | None
    comments: str | None
    shared: bool


def submit(booking: Booking, given: Evaluation, now: datetime | None = None) -> bool:
    """Record the evaluation; False (and nothing changed) if it was given already."""
    now = now or utcnow()
    if not LOWEST <= given.usefulness <= HIGHEST:
        raise confidence.RatingError(f"Usefulness must be from {LOWEST} to {HIGHEST}")
    recs = [rec for rec, _text in outcomes_of(booking.session.course)]
    confidence.check(given.before, recs)
    confidence.check(given.after, recs)
    differently = (given.differently or "").strip() or None
    comments = (given.comments or "").strip() or None
    values = dict(submitted_at=now, usefulness=given.usefulness, differently=differently, comments=comments,
                  shared=bool(differently or comments) and given.shared)
    try:
        if db.session.scalar(select(CourseEvaluation.id).where(CourseEvaluation.booking_id == booking.id)) is None:
            db.session.add(CourseEvaluation(booking_id=booking.id, user_id=booking.user_id, **values))
            db.session.flush()
        elif not db.session.execute(update(CourseEvaluation).where(
                CourseEvaluation.booking_id == booking.id, CourseEvaluation.submitted_at.is_(None)
        ).values(**values)).rowcount:  # type: ignore[attr-defined]
            db.session.rollback()
            return False
        for moment, ratings in ((Moment.BEFORE, given.before), (Moment.AFTER, given.after)):
            confidence.save(booking.user_id, moment, ratings, recs, booking_id=booking.id, commit=False)
        db.session.commit()
    except IntegrityError:  # sent twice at once: the first stands
        db.session.rollback()
        return False
    return True


def open_for(user_id: int) -> list[tuple[int, str, datetime]]:
    """(booking id, course title, session start) of attended courses not yet evaluated."""
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(Booking.id, Course.title, CourseSession.starts_at)
        .join(CourseSession, CourseSession.id == Booking.session_id).join(Course, Course.id == CourseSession.course_id)
        .outerjoin(CourseEvaluation, CourseEvaluation.booking_id == Booking.id)
        .where(Booking.user_id == user_id, Booking.status == BookingStatus.ATTENDED.value,
               CourseEvaluation.submitted_at.is_(None))
        .order_by(CourseSession.starts_at)).all()]


def send_invitations(now: datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> int:
    """Email a link to the evaluation to each person marked attended and not yet invited."""
    now = now or utcnow()
    due = db.session.execute(
        select(Booking.id, Booking.user_id, User.name, User.email, Course.title)
        .join(CourseSession, CourseSession.id == Booking.session_id).join(Course, Course.id == CourseSession.course_id)
        .join(User, User.id == Booking.user_id)
        .where(Booking.status == BookingStatus.ATTENDED.value, CourseSession.starts_at > now - timedelta(days=LATEST_DAYS),
               User.active.is_(True), User.erased_at.is_(None),
               ~Booking.id.in_(select(CourseEvaluation.booking_id)))
        .order_by(Booking.id)).all()
    if dry_run or not due:
        return len(due)
    return in_batches(due, batch, lambda rows: _invite(rows, now), "course evaluations")


def _invite(due, now: datetime) -> int:
    """One batch: claimed (an evaluation row each) before sending, so a second run does not
    invite again; how many were sent."""
    db.session.execute(insert(CourseEvaluation), [{"booking_id": row.id, "user_id": row.user_id, "invited_at": now}
                                                  for row in due])
    db.session.commit()
    return send([compose(
        row.email, "Tell us what you thought of the course", f"Dear {row.name},",
        [f"Thank you for coming to {row.title}.",
         "Please take two minutes to tell us how useful it was and what you will do differently. "
         "It helps the partnership improve its training and show what the learning changes."],
        absolute_url("practice.evaluation", booking_id=row.id), "Evaluate the course",
        ["You need to sign in. You can also find the form on My learning."]) for row in due])
