"""The audit trail in words: one sentence per action code, with the people and things it is
about linked where they still exist ("Sam Lee downloaded the compliance workbook for
Northbrook Police").

SENTENCES maps every action code that `audit.record` is given anywhere in learning/ to a
sentence with {placeholders}; tests/test_audit_sentences.py fails when a code has none. Each
placeholder is filled by a resolver below from the event's detail, with every person, course,
session, booking, record, agency and team of a page loaded in a few queries (`Lookups`), not
one per row. Something deleted or a person erased is named in plain text, never linked.
"""
from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from flask import url_for
from sqlalchemy import select

from learning.content.catalogue import catalogue
from learning.courses.models import Booking, Course, CourseSession
from learning.extensions import db
from learning.models import Agency, AuditEvent, ExternalRecord, Role, Team, User

SENTENCES: dict[str, str] = {
    # Signing in and accounts
    "sign_in": "{actor} signed in{second_factor}",
    "sign_in_failed": "Someone failed to sign in as {email}: {reason}",
    "sign_out": "{actor} signed out{sign_out_reason}",
    "account_created": "{actor} created an account for {person}{role}",
    "user_created": "{actor} created an account for {person}{role}",
    "invitation_sent": "{actor} sent an invitation to {person}",
    "password_reset_requested": "Someone asked for a password reset for {email}{reset_sent}",
    "password_reset": "{person} set a new password from a reset link",
    "password_changed": "{person} changed their password",
    "password_set": "{person} set their password from an invitation link",
    "two_factor_enabled": "{actor} turned on two-factor sign-in",
    "two_factor_disabled": "{actor} turned off two-factor sign-in",
    "recovery_codes_replaced": "{actor} replaced their recovery codes",
    "two_factor_reset": "{actor} reset two-factor sign-in for {person}",
    # People and agencies
    "user_updated": "{actor} changed the details of {person}{changes}",
    "role_change": "{actor} changed the role of {person} from {old_role} to {new_role}",
    "user_deactivated": "{actor} deactivated the account of {person}",
    "user_reactivated": "{actor} reactivated the account of {person}",
    "erase": "{actor} erased the personal details of {person}",
    "staff_import": "{actor} imported a staff list{import_file}{import_counts}",
    "agency_created": "{actor} added the agency {agency}",
    "agency_updated": "{actor} changed the agency {agency}{changes}",
    "team_created": "{actor} added the team {team} to the agency {agency}",
    "team_updated": "{actor} renamed the team {old} to {new} in the agency {agency}",
    # Courses
    "course_create": "{actor} created the course {course}",
    "course_edit": "{actor} changed the course {course}",
    "course_cancel": "{actor} cancelled the course {course}",
    "session_create": "{actor} added the session {session}",
    "session_edit": "{actor} changed the session {session}",
    "session_cancel": "{actor} cancelled the session {session}",
    "register_taken": "{actor} took the register of the session {session}",
    "register_walk_in": "{actor} added {person} to the register of the session {session} as a walk-in",
    "booking_on_behalf": "{actor} booked {person} on the session {session}",
    "booking_moved_from_wait_list": "{actor} gave {booking_person} a place on the session {booking_session} from the wait list",
    "booking_removed": "{actor} removed the booking of {booking_person} on the session {booking_session}",
    # Learning records
    "external_approve": "{actor} approved the record {record} of learning done elsewhere by {person}",
    "external_reject": "{actor} turned down the record {record} of learning done elsewhere by {person}",
    "certificate_revoke": "{actor} revoked the certificate of {person} for {module}{reason_after}",
    # Downloads
    "export_compliance": "{actor} downloaded the compliance workbook for {agencies}",
    "export_board_pack": "{actor} downloaded the board pack for {agencies}",
    "export_completions": "{actor} downloaded the e-learning completions of {module} for {agencies}{dates}",
    "export_attendance": "{actor} downloaded the {sheet} of the session {session}",
    "export_non_attendance": "{actor} downloaded the non-attendance list for {agencies}{dates}",
    "export_subject_access": "{actor} downloaded everything held about {person}",
    "export_audit": "{actor} downloaded the audit trail{dates}",
    "export_impact": "{actor} exported the impact figures{dates}",
    # Workbooks prepared in the background (learning/jobs)
    "job_requested": "{actor} asked for the {job_kind}{joined}",
    "job_download": "{actor} downloaded the {job_kind} prepared for them",
    "job_download_refused": "{actor} was refused the {job_kind} prepared for them: they no longer see those figures",
    # Scheduled reports
    "report_subscribed": "{actor} subscribed {recipient_count} to a {frequency} compliance workbook for {report_agency}",
    "report_unsubscribed": "{actor} ended a scheduled compliance workbook ({reason})",
    "report_recipient_removed": "{actor} took {address} off a scheduled compliance workbook",
    "scheduled_report_sent": "{actor} sent a scheduled compliance workbook to {email_count}",
}


GONE = "that has since been deleted"  # "the course that has since been deleted"


@dataclass(frozen=True)
class Piece:
    """Part of a sentence: text, and where it links to (None: plain text)."""
    text: str
    href: str | None = None


def plain(pieces: Iterable[Piece]) -> str:
    return "".join(p.text for p in pieces)


def detail_of(event: AuditEvent) -> dict:
    try:
        parsed = json.loads(event.detail) if event.detail else {}
    except ValueError:
        return {"text": event.detail}
    return parsed if isinstance(parsed, dict) else {"text": str(parsed)}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _user_ref(detail: dict) -> int | None:
    return _int(detail.get("user_id", detail.get("user")))


@dataclass
class Lookups:
    """Everything the events of one page refer to, loaded in a fixed number of queries."""
    users: dict[int, User] = field(default_factory=dict)
    courses: dict[int, Course] = field(default_factory=dict)
    sessions: dict[int, CourseSession] = field(default_factory=dict)
    bookings: dict[int, Booking] = field(default_factory=dict)
    records: dict[int, ExternalRecord] = field(default_factory=dict)
    agencies: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, events: list[AuditEvent]) -> Lookups:
        details = [detail_of(e) for e in events]
        ids = _Ids(details)
        found = cls()
        found.bookings = _by_id(Booking, ids.of("booking"))
        found.records = _by_id(ExternalRecord, ids.of("record"))
        user_ids = {e.actor_id for e in events if e.actor_id} | ids.users | {b.user_id for b in found.bookings.values()}
        found.users = _by_id(User, user_ids)
        found.sessions = _by_id(CourseSession, ids.of("session") | {b.session_id for b in found.bookings.values()})
        found.courses = _by_id(Course, ids.of("course") | {s.course_id for s in found.sessions.values()})
        agency_ids = ids.of("agency_id") | ids.of("agency") | {a for d in details if isinstance(d.get("agencies"), list)
                                                               for a in d["agencies"] if _int(a)}
        found.agencies = _names(Agency, agency_ids)
        found.teams = _names(Team, ids.of("team_id"))
        return found


class _Ids:
    def __init__(self, details: list[dict]):
        self.details = details
        self.users = {u for d in details if (u := _user_ref(d)) is not None}

    def of(self, key: str) -> set[int]:
        return {v for d in self.details if (v := _int(d.get(key))) is not None}


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _names(model, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))}


# Resolvers: (event, detail, lookups) -> the pieces for one placeholder.
Resolver = Callable[[AuditEvent, dict, Lookups], list[Piece]]


def _person(user: User | None, fallback: str) -> list[Piece]:
    if user is None:
        return [Piece(fallback)]
    if user.erased_at is not None:
        return [Piece("an erased person")]
    return [Piece(user.name, url_for("people.user", user_id=user.id))]


def _actor(event: AuditEvent, detail: dict, found: Lookups) -> list[Piece]:
    if event.actor_id is not None:
        return _person(found.users.get(event.actor_id), event.actor_email or "A deleted account")
    if event.actor_email:
        return [Piece(event.actor_email)]
    # No one signed in: a command run on the server has no address, a request has one.
    return [Piece("Someone at the command line" if detail.get("via") == "cli" or not event.ip else "Someone not signed in")]


def _subject(event: AuditEvent, detail: dict, found: Lookups) -> list[Piece]:
    user_id = _user_ref(detail)
    if user_id is None and event.actor_id is not None:  # their own account: themselves
        return _actor(event, detail, found)
    return _person(found.users.get(user_id) if user_id else None, detail.get("email") or "someone no longer listed")


def _session_pieces(session: CourseSession | None, course: Course | None) -> list[Piece]:
    if session is None:
        return [Piece(GONE)]
    title = course.title if course else "a course"
    return [Piece(f"{title}, {session.starts_at:%-d %B %Y}", url_for("courses.manage_session", session_id=session.id))]


def _session(event, detail, found) -> list[Piece]:
    session = found.sessions.get(_int(detail.get("session")) or 0)
    return _session_pieces(session, found.courses.get(session.course_id) if session else None)


def _course(event, detail, found) -> list[Piece]:
    course = found.courses.get(_int(detail.get("course")) or 0)
    if course is None:
        return [Piece(detail.get("title") or GONE)]
    return [Piece(course.title, url_for("courses.course", course_id=course.id))]


def _booking_person(event, detail, found) -> list[Piece]:
    booking = found.bookings.get(_int(detail.get("booking")) or 0)
    return _person(found.users.get(booking.user_id) if booking else None, "someone")


def _booking_session(event, detail, found) -> list[Piece]:
    booking = found.bookings.get(_int(detail.get("booking")) or 0)
    session = found.sessions.get(booking.session_id) if booking else None
    return _session_pieces(session, found.courses.get(session.course_id) if session else None)


def _record(event, detail, found) -> list[Piece]:
    record = found.records.get(_int(detail.get("record")) or 0)
    if record is None:
        return [Piece(GONE)]
    return [Piece(f"\u201c{record.title}\u201d", url_for("external.review", record_id=record.id))]


def _agency(event, detail, found) -> list[Piece]:
    agency_id = _int(detail.get("agency_id"))
    if agency_id in found.agencies:
        return [Piece(found.agencies[agency_id], url_for("people.agency", agency_id=agency_id))]
    return [Piece(str(detail.get("name") or detail.get("agency") or GONE))]


def _agencies(event, detail, found) -> list[Piece]:
    """Every agency (the partnership), named agencies linked, or the name the CLI gave."""
    chosen = detail.get("agencies")
    if _int(chosen) is not None:
        # Entries written before a count stopped replacing the choice: the filter's agency, or a count.
        chosen = [detail["agency"]] if _int(detail.get("agency")) else f"{chosen} agencies" if chosen != 1 else "one agency"
    if not isinstance(chosen, list):
        return [Piece("every agency" if chosen in (None, "all") else str(chosen))]
    pieces: list[Piece] = []
    for index, agency_id in enumerate(chosen):
        if index:
            pieces.append(Piece(" and " if index == len(chosen) - 1 else ", "))
        name = found.agencies.get(_int(agency_id) or 0)
        pieces.append(Piece(name, url_for("people.agency", agency_id=agency_id)) if name
                      else Piece("an agency since deleted"))
    return pieces or [Piece("no agency")]


def _team(event, detail, found) -> list[Piece]:
    return [Piece(found.teams.get(_int(detail.get("team_id")) or 0) or str(detail.get("name") or "a team"))]


def _module(event, detail, found) -> list[Piece]:
    slug = str(detail.get("module", ""))
    content = catalogue().modules.get(slug)
    return [Piece(content.title if content else slug or "a module")]


def _dates(event, detail, found) -> list[Piece]:
    start, end = _day(detail.get("from")), _day(detail.get("to"))
    if start and end:
        return [Piece(f" from {start} to {end}")]
    if start or end:
        return [Piece(f" from {start}" if start else f" up to {end}")]
    return [Piece(" for all dates")]


def _day(value) -> str | None:
    try:
        day = date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}" if day else None


def _role(name: str) -> Resolver:
    def resolve(event, detail, found) -> list[Piece]:
        try:
            return [Piece(Role(detail.get(name)).label.lower())]
        except ValueError:
            return [Piece(str(detail.get(name, "")))]
    return resolve


def _text(key: str, before: str = "", after: str = "", default: str = "") -> Resolver:
    def resolve(event, detail, found) -> list[Piece]:
        value = detail.get(key)
        return [Piece(f"{before}{value}{after}" if value not in (None, "") else default)]
    return resolve


def _changes(event, detail, found) -> list[Piece]:
    changes = detail.get("changes")
    if isinstance(changes, dict) and changes:
        return [Piece(": " + ", ".join(str(k).replace("_", " ") for k in changes))]
    if isinstance(changes, list) and changes:
        return [Piece(": " + ", ".join(str(k).replace("_", " ") for k in changes))]
    return [Piece("")]


def _import_counts(event, detail, found) -> list[Piece]:
    parts = [f"{detail[k]} {label}" for k, label in (("created", "new"), ("updated", "updated"), ("moved", "moved"))
             if isinstance(detail.get(k), int)]
    return [Piece(": " + ", ".join(parts) if parts else "")]


def _job_kind(kind) -> str:
    from learning.jobs.kinds import KINDS

    found = KINDS.get(str(kind))
    return found.label if found else "workbook"


def _addresses(value) -> str:
    count = len(value) if isinstance(value, list) else _int(value)
    if count is None:
        return "some addresses"
    return "one address" if count == 1 else f"{count} addresses"


RESOLVERS: dict[str, Resolver] = {
    "actor": _actor, "person": _subject, "session": _session, "course": _course, "record": _record,
    "booking_person": _booking_person, "booking_session": _booking_session, "agency": _agency,
    "agencies": _agencies, "team": _team, "module": _module, "dates": _dates, "changes": _changes,
    "old_role": _role("old"), "new_role": _role("new"), "import_counts": _import_counts,
    "role": _text("role", before=" as "),
    "second_factor": lambda e, d, f: [Piece({"authenticator app": " with a code from their authenticator app",
                                             "recovery code": " with a recovery code"}.get(str(d.get("second_factor")), ""))],
    "reset_sent": lambda e, d, f: [Piece("" if d.get("sent") else " (no such account: nothing sent)")],
    "reason_after": _text("reason", before=": "),
    "import_file": _text("file", before=" (", after=")"),
    "sign_out_reason": lambda e, d, f: [Piece("" if d.get("reason") in (None, "", "signed out") else f" ({d['reason']})")],
    "job_kind": lambda e, d, f: [Piece(_job_kind(d.get("kind")))],
    "joined": lambda e, d, f: [Piece(" (already being prepared)" if d.get("shared") else "")],
    "report_agency": lambda e, d, f: ([Piece("every agency")] if d.get("agency") in (None, "all")
                                      else _agency(e, d, f)),
    "recipient_count": lambda e, d, f: [Piece(_addresses(d.get("recipients")))],
    "email_count": lambda e, d, f: [Piece(_addresses(d.get("emails")))],
    "sheet": lambda e, d, f: [Piece("register" if d.get("kind") == "register" else "sign-in sheet")],
}


def sentence(event: AuditEvent, found: Lookups) -> list[Piece]:
    """The event as a sentence: pieces of text, some of them links."""
    detail = detail_of(event)
    template = SENTENCES.get(event.action, "{actor}: " + event.action.replace("_", " "))
    pieces: list[Piece] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(Piece(literal))
        if name is not None:
            resolver = RESOLVERS.get(name) or _text(name, default="something")
            pieces.extend(resolver(event, detail, found))
    # One piece of text follows another with no link between: join them.
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1].href is None and piece.href is None:
            merged[-1] = Piece(merged[-1].text + piece.text)
        elif piece.text:
            merged.append(piece)
    if merged:  # a sentence starts with a capital, whoever it is about ("An erased person ...")
        merged[0] = replace(merged[0], text=merged[0].text[:1].upper() + merged[0].text[1:])
    return merged


# What each placeholder says in a sentence about no event in particular (the search form's list);
# the rest say nothing there ("Someone cancelled the course").
GENERIC = {"actor": "Someone", "person": "a person", "booking_person": "someone", "agencies": "agencies",
           "module": "a module", "email": "an email address", "reason": "a reason", "old_role": "one role",
           "new_role": "another", "old": "one name", "new": "another"}


def label(action: str) -> str:
    """The action as a sentence about anyone: "Someone downloaded the compliance workbook for agencies"."""
    template = SENTENCES.get(action, "{actor}: " + action.replace("_", " "))
    words = "".join(literal + (GENERIC.get(name, "") if name else "")
                    for literal, name, _spec, _conversion in string.Formatter().parse(template))
    words = " ".join(words.split())
    return words[:1].upper() + words[1:]
