"""Course emails and their calendar invites: booking confirmed, place offered from the wait
list, on the wait list, session changed, session or booking cancelled, the two-day reminder,
and "marked as did not attend".

Each email is composed like the account emails (learning/auth/emails.py: one pair of
templates, a fixed subject, the bare address): course titles, venues and names only ever
appear in the body and in the .ics, which the icalendar library writes (it escapes commas,
semicolons and line breaks, so a venue cannot add a property). Every email sent is logged
in SessionEmail and listed on the coordinator's session page.

Session times are stored in UTC (learning/courses/times.py); the email says them in the
partnership's local time (TIME_ZONE, Europe/London by default) and the invite carries them in UTC. The invite's UID is
the session's, and its SEQUENCE the session's version, so calendars replace the old event
when a session changes and remove it when it is cancelled.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from typing import cast

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import CursorResult, select, update

from learning.auth.emails import compose
from learning.courses.times import aware, local
from learning.extensions import db
from learning.links import absolute_url
from learning.mail import send
from learning.models import Booking, BookingStatus, Course, CourseSession, SessionEmail, User, utcnow

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
OFFERED = "offered"
CHANGED = "changed"
CANCELLED = "cancelled"
BOOKING_CANCELLED = "booking_cancelled"
REMINDER = "reminder"
DID_NOT_ATTEND = "did_not_attend"
LEAD_DID_NOT_ATTEND = "lead_did_not_attend"

LABELS = {
    CONFIRMED: "Booking confirmed", WAITLISTED: "On the wait list", OFFERED: "Place offered from the wait list",
    CHANGED: "Session changed", CANCELLED: "Session cancelled", BOOKING_CANCELLED: "Booking cancelled",
    REMINDER: "Reminder, two days before", DID_NOT_ATTEND: "Marked as did not attend",
    LEAD_DID_NOT_ATTEND: "Did not attend, to their lead",
}


def when(session: CourseSession) -> str:
    starts, ends = local(session.starts_at), local(session.ends_at)
    return f"{starts:%A %-d %B %Y}, {starts:%H:%M} to {ends:%H:%M}"


def where(session: CourseSession) -> str:
    return f"Online: {session.venue}" if session.online else session.venue


def _uid(session: CourseSession) -> str:
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    return f"course-session-{session.id}@{domain}"


def invite(session: CourseSession, user: User, cancel: bool = False, now: datetime | None = None) -> bytes:
    """The .ics for one person: METHOD:REQUEST for a place, METHOD:CANCEL when it ends."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{current_app.config['SERVICE_NAME']}//courses//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", _uid(session))
    event.add("sequence", session.version)
    event.add("dtstamp", (now or utcnow()).replace(tzinfo=UTC))
    event.add("dtstart", aware(session.starts_at))
    event.add("dtend", aware(session.ends_at))
    event.add("summary", session.course.title)
    event.add("location", where(session))
    event.add("description", f"{session.course.description}\n\nTrainer: {session.trainer or 'to be confirmed'}".strip())
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress("mailto:" + parseaddr(current_app.config["MAIL_FROM"])[1])
    organizer.params["cn"] = vText(current_app.config["SERVICE_NAME"])
    event.add("organizer", organizer)
    attendee = vCalAddress("mailto:" + user.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def _details(session: CourseSession) -> list[str]:
    lines = [f"Course: {session.course.title}", f"When: {when(session)} ({current_app.config['TIME_ZONE']} time)"]
    if session.online:
        lines.append(f"Joining details: {session.venue}")
    else:
        lines.append(f"Venue: {session.venue}")
    if session.trainer:
        lines.append(f"Trainer: {session.trainer}")
    return lines


BRING = "Bring a notebook, and your ID badge if your agency gives you one."

SUBJECTS = {
    CONFIRMED: "Your place on a safeguarding course is booked",
    WAITLISTED: "You are on the wait list for a safeguarding course",
    OFFERED: "You have a place on a safeguarding course",
    CHANGED: "A safeguarding course you are booked on has changed",
    CANCELLED: "A safeguarding course session has been cancelled",
    BOOKING_CANCELLED: "Your place on a safeguarding course has been cancelled",
    REMINDER: "Reminder: your safeguarding course is in two days",
    DID_NOT_ATTEND: "You were marked as not attending a safeguarding course",
    LEAD_DID_NOT_ATTEND: "A member of your staff did not attend a safeguarding course",
}


def _paragraphs(kind: str, session: CourseSession, booking: Booking | None, about: User | None) -> list[str]:
    details = _details(session)
    if kind in (CONFIRMED, OFFERED, REMINDER):
        opening = {CONFIRMED: "Your place is booked.",
                   OFFERED: "A place came free and it is yours: you are now booked, not on the wait list.",
                   REMINDER: "Your course is in two days."}[kind]
        return [opening, *details, BRING if not session.online else "Join a few minutes early to check your sound.",
                "The calendar invite is attached. If you cannot come, cancel your place so someone on the wait "
                "list can have it."]
    if kind == WAITLISTED:
        return ["The session is full, so you are on its wait list. If a place comes free, it goes to the first "
                "person waiting and we will email you.", *details]
    if kind == CHANGED:
        still = "You are still booked." if booking and booking.status == "booked" else "You are still on the wait list."
        return ["The details of this session have changed. These are the new details:", *details, still]
    if kind == CANCELLED:
        return ["This session has been cancelled, so your booking or wait-list place has ended.", *details,
                f"Reason: {session.cancel_reason}" if session.cancel_reason else "",
                "Look for another session on the courses page."]
    if kind == BOOKING_CANCELLED:
        return ["Your place on this session has been cancelled.", *details]
    if kind == DID_NOT_ATTEND:
        return ["The register for this session records that you did not attend, so it does not count towards "
                "your learning.", *details,
                "If this is wrong, tell the course coordinator. Book another session on the courses page."]
    name = about.name if about else "A member of your staff"
    return [f"The register for this session records that {name} did not attend.", *details]


@dataclass
class Notice:
    kind: str
    session: CourseSession
    to: User
    booking: Booking | None = None
    about: User | None = None  # for a lead's email, the person it is about

    def message(self) -> EmailMessage:
        paragraphs = [p for p in _paragraphs(self.kind, self.session, self.booking, self.about) if p]
        calendar = self.kind in (CONFIRMED, OFFERED, REMINDER, CANCELLED, BOOKING_CANCELLED) or (
            self.kind == CHANGED and self.booking is not None and self.booking.status == "booked")
        message = compose(self.to.email, SUBJECTS[self.kind], f"Dear {self.to.name},", paragraphs,
                          absolute_url("courses.session", session_id=self.session.id), "See the session")
        if calendar:
            cancel = self.kind in (CANCELLED, BOOKING_CANCELLED)
            message.add_attachment(invite(self.session, self.to, cancel=cancel).decode(), subtype="calendar",
                                   filename="cancelled.ics" if cancel else "invite.ics",
                                   params={"method": "CANCEL" if cancel else "REQUEST"})
        return message


def send_notices(notices: Iterable[Notice]) -> int:
    """Send, then log each one (delivered or not). How many went."""
    notices = list(notices)
    if not notices:
        return 0
    messages = [n.message() for n in notices]
    sent = send(messages)
    now = utcnow()
    # `send` stops at the first failure: the ones before it went.
    for number, notice in enumerate(notices):
        db.session.add(SessionEmail(session_id=notice.session.id, user_id=notice.to.id, kind=notice.kind,
                                    sent_at=now, delivered=number < sent))
    db.session.commit()
    return sent


def for_booking(booking: Booking) -> Notice:
    """Confirmation or wait list, for a booking just made."""
    return Notice(CONFIRMED if booking.status == "booked" else WAITLISTED, booking.session, booking.user, booking)


def offered(booking: Booking | None) -> list[Notice]:
    return [Notice(OFFERED, booking.session, booking.user, booking)] if booking else []


def log(session: CourseSession) -> list[SessionEmail]:
    return list(db.session.scalars(
        db.select(SessionEmail).where(SessionEmail.session_id == session.id)
        .order_by(SessionEmail.sent_at.desc(), SessionEmail.id.desc())))


REMINDER_DAYS = 2


def due_booking_reminders(now: datetime) -> list[Booking]:
    """Places on sessions that start within two days and have not been reminded about."""
    return list(db.session.scalars(
        select(Booking).join(CourseSession).join(Course)
        .where(Booking.status == BookingStatus.BOOKED.value, Booking.reminder_sent_at.is_(None),
               CourseSession.cancelled_at.is_(None), CourseSession.starts_at > now,
               CourseSession.starts_at <= now + timedelta(days=REMINDER_DAYS))
        .order_by(CourseSession.starts_at, Booking.id)))


def claim_reminder(booking: Booking, now: datetime) -> bool:
    """Mark the booking reminded. False if another run got there first."""
    claimed = cast(CursorResult, db.session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.reminder_sent_at.is_(None)).values(reminder_sent_at=now)
    )).rowcount
    db.session.commit()
    return bool(claimed)


def release_reminder(booking: Booking) -> None:
    """Undo a claim after a failed send, so the next run tries again."""
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(reminder_sent_at=None))
    db.session.commit()


def record(notice: Notice, now: datetime) -> None:
    db.session.add(SessionEmail(session_id=notice.session.id, user_id=notice.to.id, kind=notice.kind, sent_at=now))
    db.session.commit()
