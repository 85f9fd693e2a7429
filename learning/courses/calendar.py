"""The courses calendar: upcoming sessions a page at a time, in date order and grouped by
week, filtered by course, month and whether online, with the choices for those filters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import false, func, select
from sqlalchemy.orm import contains_eager

from learning.courses import bookings
from learning.courses.times import from_local, local
from learning.extensions import db
from learning.models import Course, CourseSession
from learning.pagination import Page

PER_PAGE = 20


@dataclass(frozen=True)
class Chosen:
    """The filters as asked for in the query string; empty when not chosen."""
    course: int | None = None
    month: str = ""  # the partnership's local month, "2027-09"
    mode: str = ""  # "online" or "in_person" (the view passes nothing else)

    def args(self) -> dict[str, int | str]:
        """The filters for the page links, without the empty ones."""
        return {k: v for k, v in {"course": self.course, "month": self.month, "mode": self.mode}.items() if v}


@dataclass(frozen=True)
class Calendar:
    page: Page
    weeks: dict[date, list[CourseSession]]  # the page's sessions by the Monday of their week
    taken: dict[int, tuple[int, int]]  # {session id: (places taken, people waiting)}
    courses: list[Course]  # every course with an upcoming session, for the course filter
    months: list[tuple[str, str]]  # every month with one: ("2027-09", "September 2027")


def calendar(chosen: Chosen, number: int, now: datetime) -> Calendar:
    """Page `number` of the upcoming sessions that match `chosen` (the last page when it
    asks for one past the end)."""
    upcoming = (CourseSession.starts_at > now, Course.active.is_(True), CourseSession.cancelled_at.is_(None))
    listed = select(CourseSession).join(Course).where(*upcoming, *_matching(chosen))
    page = Page.within(number, PER_PAGE, db.session.scalar(select(func.count()).select_from(listed.subquery())) or 0)
    sessions = db.session.scalars(listed.options(contains_eager(CourseSession.course))
                                  .order_by(CourseSession.starts_at, CourseSession.id)
                                  .limit(page.size).offset(page.offset)).all()
    weeks: dict[date, list[CourseSession]] = {}
    for s in sessions:
        day = local(s.starts_at)
        weeks.setdefault((day - timedelta(days=day.weekday())).date(), []).append(s)
    course_ids = select(CourseSession.course_id).join(Course).where(*upcoming)
    courses = db.session.scalars(select(Course).where(Course.id.in_(course_ids)).order_by(Course.title)).all()
    starts = [local(t) for t in db.session.scalars(select(CourseSession.starts_at).join(Course).where(*upcoming))]
    months = sorted({f"{t:%Y-%m}": t.strftime("%B %Y") for t in starts}.items())
    return Calendar(page, weeks, bookings.places_taken([s.id for s in sessions]), list(courses), months)


def _matching(chosen: Chosen) -> list:
    """The conditions for the chosen filters. A month that is not one ("2027-13") matches
    nothing, as a month with no sessions does."""
    conditions = []
    if chosen.course:
        conditions.append(CourseSession.course_id == chosen.course)
    if chosen.month:
        span = _local_month(chosen.month)
        if span:
            start, end = span
            conditions += [CourseSession.starts_at >= start, CourseSession.starts_at < end]
        else:
            conditions.append(false())
    if chosen.mode:
        conditions.append(CourseSession.online.is_(chosen.mode == "online"))
    return conditions


def _local_month(month: str) -> tuple[datetime, datetime] | None:
    """The stored (UTC) times from the start of a month of the partnership's calendar to the
    start of the next ("2027-09": 31 August 23:00 to 30 September 23:00 in summer time)."""
    try:
        first = datetime.strptime(month, "%Y-%m")
        following = (first + timedelta(days=31)).replace(day=1)
        return from_local(first), from_local(following)
    except (ValueError, OverflowError):  # not a month, or one at the ends of the calendar ("9999-12")
        return None
