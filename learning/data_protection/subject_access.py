"""Subject access: everything the service holds about one person, as a workbook."""
from __future__ import annotations

from collections.abc import Callable
from typing import IO

from openpyxl import Workbook
from sqlalchemy import func, or_, select

from learning.content.catalogue import catalogue
from learning.courses.notices import LABELS
from learning.courses.times import local
from learning.exports.cells import BOLD, LEFT, TITLE, WRAP, cell, heading_row, print_setup, produced_on
from learning.extensions import db
from learning.impact.personal import subject_access_sheets
from learning.models import Attempt, AttemptQuestion, AuditEvent, Booking, Completion, Course, CourseSession, ExternalRecord, Module, SessionEmail, User, utcnow


def _sheet(wb, title: str, headers: list[str], rows, widths: list[float], progress=None) -> None:
    ws = wb.create_sheet(title)
    print_setup(ws, title, widths, title_rows="1:1", title_columns="A:A")
    ws.append(heading_row(ws, 1, headers))
    ws.freeze_panes = "A2"
    count = 0
    for row in rows:
        ws.append([cell(ws, v, alignment=WRAP if isinstance(v, str) and len(v) > 40 else None) for v in row])
        count += 1
    if progress:
        progress(count)
    if not count:
        ws.append([cell(ws, "Nothing held.")])


def expected_rows(user: User) -> int:
    """How many rows the sheets will have, for progress."""
    events = or_(AuditEvent.actor_id == user.id, AuditEvent.actor_email == user.email)
    counts = [select(func.count()).select_from(Completion).where(Completion.user_id == user.id),
              select(func.count()).select_from(AttemptQuestion).join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
              .where(Attempt.user_id == user.id),
              select(func.count()).select_from(Booking).where(Booking.user_id == user.id),
              select(func.count()).select_from(ExternalRecord).where(ExternalRecord.user_id == user.id),
              select(func.count()).select_from(AuditEvent).where(events)]
    return sum(db.session.scalar(q) or 0 for q in counts)


def build(out: IO[bytes] | str, user: User, generated_by: str, progress: Callable[[int], None] | None = None) -> dict:
    wb = Workbook(write_only=True)
    titles = dict(db.session.execute(select(Module.id, Module.title)).all())
    ws = wb.create_sheet("Account")
    print_setup(ws, "Account", [24, 60])
    now = utcnow()
    ws.append([cell(ws, f"Information held about {user.name}", font=TITLE)])
    ws.append([cell(ws, f"Generated {produced_on(now)} {now:%H:%M} by {generated_by}.")])
    for label, value in [("Name", user.name), ("Email", user.email), ("Role", user.role_enum.label),
                         ("Agency", user.agency.name if user.agency else ""), ("Team", user.team.name if user.team else ""),
                         ("Job title", user.job_title or ""), ("Account created", user.created_at),
                         ("Active", "Yes" if user.active else "No")]:
        ws.append([cell(ws, label, font=BOLD), cell(ws, value, alignment=LEFT)])  # a date under text, not at the far edge

    completions = db.session.scalars(select(Completion).where(Completion.user_id == user.id).order_by(Completion.completed_at))
    _sheet(wb, "Completions", ["Module", "Completed", "Valid until", "Version", "Score (%)", "Source", "Certificate code",
                               "Revoked", "What you will do differently", "Shared with your agency lead"],
           ([titles.get(c.module_id), c.completed_at, c.expires_at, c.module_version, c.score, c.source, c.certificate_code,
             c.revoked_at, c.reflection or "", ("Yes" if c.reflection_shared else "No") if c.reflection else ""]
            for c in completions), [40, 14, 14, 9, 9, 12, 32, 14, 60, 14], progress)

    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at))
    cat = catalogue()

    def answers():
        for a in attempts:
            content = cat.modules.get(a.module.slug)
            for aq in a.questions:
                question = content.question(aq.question_id) if content else None
                texts = {option.id: option.text for option in question.options} if question else {}
                given = ", ".join(texts[o] for o in (aq.answer or []) if o in texts)
                yield [titles.get(a.module_id), a.started_at, a.status, a.score, aq.position,
                       question.prompt if question else aq.question_id, given, aq.is_correct]

    _sheet(wb, "Answers", ["Module", "Attempt started", "Attempt status", "Score", "Question no.", "Question", "Answer given", "Right"],
           answers(), [30, 14, 12, 7, 8, 60, 60, 7], progress)

    bookings = db.session.scalars(select(Booking).where(Booking.user_id == user.id).order_by(Booking.created_at))
    _sheet(wb, "Bookings", ["Course", "Session", "Venue", "Status", "Booked"],
           ([b.session.course.title, local(b.session.starts_at), b.session.venue, b.status_enum.label, b.created_at] for b in bookings),
           [40, 16, 40, 16, 16], progress)

    emails = db.session.execute(
        select(Course.title, CourseSession.starts_at, SessionEmail.kind, SessionEmail.sent_at, SessionEmail.delivered)
        .join(CourseSession, CourseSession.id == SessionEmail.session_id).join(Course, Course.id == CourseSession.course_id)
        .where(SessionEmail.user_id == user.id).order_by(SessionEmail.sent_at, SessionEmail.id))
    _sheet(wb, "Course emails", ["Course", "Session", "Email", "Sent", "Delivered"],
           ([title, local(starts), LABELS.get(kind, kind), sent, "Yes" if delivered else "No, the mail server refused it"]
            for title, starts, kind, sent, delivered in emails),
           [40, 16, 36, 16, 20])

    records = db.session.scalars(select(ExternalRecord).where(ExternalRecord.user_id == user.id))
    _sheet(wb, "External learning", ["Title", "Provider", "Completed", "Evidence note", "Evidence file", "Status", "Reviewer's note"],
           ([r.title, r.provider, r.completed_on, r.evidence_note, r.evidence_filename or "", r.status, r.review_note] for r in records),
           [40, 30, 14, 50, 24, 12, 40], progress)

    subject_access_sheets(lambda *args: _sheet(wb, *args), user.id)

    events = db.session.scalars(select(AuditEvent).where(or_(AuditEvent.actor_id == user.id, AuditEvent.actor_email == user.email))
                                .order_by(AuditEvent.at))
    _sheet(wb, "Activity", ["When", "Action", "Detail", "IP address"],
           ([e.at, e.action, e.detail, e.ip or ""] for e in events), [18, 22, 70, 16], progress)
    wb.save(out)
    return {"user": user.id}
