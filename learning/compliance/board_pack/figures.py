"""The board pack's figures beyond the dashboards' own: coverage of the review's
recommendations, the questions most often answered wrong first time across the partnership,
and attendance of face-to-face courses in the period. A query or two each, whatever the
workforce; nothing here loops over people."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, case, func, select

from learning.compliance.counted_questions import for_a_report
from learning.compliance.insight import Cell, within
from learning.content.catalogue import catalogue
from learning.database import run
from learning.models import (
    WORKFORCE_ROLES,
    Booking,
    BookingStatus,
    Completion,
    Course,
    CourseSession,
    Module,
    User,
)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


@dataclass(frozen=True)
class Recommendation:
    title: str
    modules: list[str]  # titles of the modules that teach it
    questions: int  # questions that teach it, across those modules
    holders: int  # staff with an in-date completion of a module that teaches it
    completed_in_period: int  # completions of those modules in the period


def recommendation_coverage(agency_ids: tuple[int, ...] | None, start: date, end: date,
                            now: datetime) -> list[Recommendation]:
    """Per recommendation of the review: the modules and questions that teach it (from the
    content), and how many staff hold an in-date completion of one of those modules. One
    query: a distinct count and a sum per recommendation over one scan of completions."""
    cat = catalogue()
    ids = dict(run(select(Module.slug, Module.id)).all())
    teaching = {}
    for rec_id in cat.recommendations:
        modules = [m for m in cat.ordered()
                   if rec_id in m.recommendations or any(rec_id in q.recommendations for q in m.questions)]
        questions = sum(1 for m in modules for q in m.questions if rec_id in q.recommendations)
        teaching[rec_id] = (modules, questions, [ids[m.slug] for m in modules if m.slug in ids] or [-1])
    if not teaching:
        return []
    in_period = Completion.completed_at.between(day_start(start), day_start(end + timedelta(days=1)))
    columns = []
    for number, (_, _, module_ids) in enumerate(teaching.values()):
        teaches = Completion.module_id.in_(module_ids)
        columns.append(func.count(func.distinct(case((teaches & (Completion.expires_at > now), Completion.user_id))))
                       .label(f"h{number}"))
        columns.append(func.sum(case((teaches & in_period, 1), else_=0)).cast(Integer).label(f"p{number}"))
    query = (select(*columns).join(User, User.id == Completion.user_id)
             .where(Completion.revoked_at.is_(None), User.active.is_(True), User.role.in_(WORKFORCE_ROLES)))
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    counts = run(query).one()
    return [Recommendation(cat.recommendations[rec_id].title, [m.title for m in modules], questions,
                           counts[2 * number] or 0, counts[2 * number + 1] or 0)
            for number, (rec_id, (modules, questions, _)) in enumerate(teaching.items())]


@dataclass(frozen=True)
class MissedQuestion:
    module: str
    prompt: str
    cell: Cell


@dataclass(frozen=True)
class Missed:
    questions: list[MissedQuestion]  # most often wrong first, those answered by MIN_PEOPLE or more
    suppressed: int  # questions answered by fewer than MIN_PEOPLE people, left out
    counted_at: datetime  # when the worker counted the answers


def most_missed(agency_ids: tuple[int, ...] | None, limit: int = 10) -> Missed:
    """The questions most often answered wrong first time across the agencies given, from
    learning/compliance/insight.py's per-agency figures (as the worker kept them for the
    pages, learning/compliance/counted_questions.py) added together; a question answered
    by fewer than MIN_PEOPLE people is left out, so no one can be singled out."""
    cat = catalogue()
    found, suppressed = [], 0
    errors, counted_at = for_a_report()
    for (slug, question_id), per_agency in within(errors, agency_ids).items():
        cell = Cell(sum(c.people for c in per_agency.values()), sum(c.wrong for c in per_agency.values()))
        module = cat.modules.get(slug)
        question = next((q for q in module.questions if q.id == question_id), None) if module else None
        if module is None or question is None:
            continue  # a question since taken out of the content
        if cell.suppressed:
            suppressed += 1
            continue
        found.append(MissedQuestion(module.title, " ".join(question.prompt.split()), cell))
    found.sort(key=lambda q: (-(q.cell.percent_wrong or 0), -q.cell.people, q.module, q.prompt))
    return Missed(found[:limit], suppressed, counted_at)


@dataclass(frozen=True)
class CourseLine:
    title: str
    sessions: int
    attended: int
    absent: int
    cancelled_late: int

    @property
    def expected(self) -> int:
        return self.attended + self.absent + self.cancelled_late

    @property
    def non_attendance(self) -> int | None:
        """Percentage of places expected (not cancelled in time) that were not used."""
        return round(100 * (self.absent + self.cancelled_late) / self.expected) if self.expected else None


def course_attendance(agency_ids: tuple[int, ...] | None, start: date, end: date) -> list[CourseLine]:
    """Per course, its sessions held in the period (registers taken, not cancelled) and what
    became of the places of the agencies' staff: attended, did not attend, cancelled late."""
    def counted(status: BookingStatus):
        return func.sum(case((Booking.status == status.value, 1), else_=0)).cast(Integer)

    query = (
        select(Course.title, func.count(func.distinct(CourseSession.id)), counted(BookingStatus.ATTENDED),
               counted(BookingStatus.ABSENT), counted(BookingStatus.CANCELLED_LATE))
        .join(CourseSession, CourseSession.course_id == Course.id)
        .join(Booking, Booking.session_id == CourseSession.id)
        .join(User, User.id == Booking.user_id)
        .where(CourseSession.starts_at >= day_start(start), CourseSession.starts_at < day_start(end + timedelta(days=1)),
               CourseSession.cancelled_at.is_(None), CourseSession.register_taken_at.is_not(None))
        .group_by(Course.id, Course.title)
        .order_by(Course.title)
    )
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    return [CourseLine(*row) for row in run(query)]
