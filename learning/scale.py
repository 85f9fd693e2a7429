"""A synthetic workforce for scale tests: `flask seed-scale --practitioners N`.

Reproducible for a given seed, inserted in bulk (no ORM objects per row), with dates
spread so that every status occurs: in date, expiring, expired, in progress, not started.
An attempt in progress has its questions drawn, as a real one has, so it can be finished;
a submitted one has them answered, as the demo's are, so "Questions staff get wrong" has
as many answers to count as a real workforce would give.
About one person in twelve also has a place on a face-to-face course: past sessions with
their registers taken (attended, which completes the course's modules, absent, cancelled
late) and coming sessions with places booked, cancelled and wait-listed.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text

from learning.compliance import summary
from learning.compliance.status import add_months
from learning.content.catalogue import catalogue, sync_modules
from learning.demo import answered_question_rows, drawn_question_rows
from learning.extensions import db
from learning.models import (
    Agency,
    Attempt,
    AttemptQuestion,
    Booking,
    BookingStatus,
    Completion,
    CompletionSource,
    Course,
    CourseSession,
    Sector,
    Team,
    User,
    utcnow,
)

PREFIX = "Scale agency"
COURSE_PREFIX = "Scale course"
CHUNK = 10_000
BOOKING_SHARE = 0.08  # of people with a place on a course
CAPACITY = 20
WAIT_LIST = 3  # wait-listed places on a full coming session before a new one opens
SECTORS = [s.value for s in Sector]


def _chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _agencies(count: int) -> list[tuple[int, list[int]]]:
    """Create (or reuse) `count` scale agencies with four teams each."""
    existing = {a.name: a for a in db.session.scalars(select(Agency).where(Agency.name.like(f"{PREFIX} %")))}
    result = []
    for i in range(1, count + 1):
        name = f"{PREFIX} {i:03}"
        agency = existing.get(name)
        if agency is None:
            agency = Agency(name=name, sector=SECTORS[i % len(SECTORS)], active=True)
            agency.teams = [Team(name=f"Team {t}") for t in "ABCD"]
            db.session.add(agency)
            db.session.flush()
        result.append((agency.id, [t.id for t in agency.teams]))
    db.session.commit()
    return result


def _courses(modules) -> list[dict]:
    """Two scale courses (created once), each counting for two modules, as plain data."""
    existing = {c.title: c for c in db.session.scalars(select(Course).where(Course.title.like(f"{COURSE_PREFIX} %")))}
    courses = []
    for i in range(2):
        title = f"{COURSE_PREFIX} {i + 1}"
        course = existing.get(title)
        if course is None:
            course = Course(title=title, description="Synthetic course for scale tests.", validity_months=36,
                            modules=modules[2 * i:2 * i + 2])
            db.session.add(course)
            db.session.flush()
        courses.append({"id": course.id, "validity_months": course.validity_months,
                        "modules": [(m.id, m.version) for m in course.modules]})
    db.session.commit()
    return courses


class _Places:
    """Hands out places on sessions, opening a new session when one is full, and builds
    the rows: sessions, bookings and the completions that attendance gives."""

    def __init__(self, courses: list[dict], rng: random.Random, now, seed: int):
        self.courses, self.rng, self.now, self.seed = courses, rng, now, seed
        self.session_id, self.booking_id = _next_id(CourseSession), _next_id(Booking)
        self.open: dict[tuple[int, bool], dict] = {}
        self.sessions: list[dict] = []
        self.bookings: list[dict] = []
        self.completions: list[dict] = []

    def _session(self, course_index: int, past: bool) -> dict:
        current = self.open.get((course_index, past))
        if current and (current["seats"] < CAPACITY or (not past and current["waiting"] < WAIT_LIST)):
            return current
        days = -self.rng.randint(1, 700) if past else self.rng.randint(1, 90)
        starts = (self.now + timedelta(days=days)).replace(hour=9, minute=30, second=0)
        row = {"id": self.session_id, "course_id": self.courses[course_index]["id"], "starts_at": starts,
               "ends_at": starts + timedelta(hours=3), "venue": "Partnership training room", "online": False,
               "capacity": CAPACITY, "trainer": "Scale trainer",
               "register_taken_at": starts + timedelta(hours=3) if past else None}
        self.sessions.append(row)
        self.session_id += 1
        current = self.open[(course_index, past)] = {"row": row, "seats": 0, "waiting": 0}
        return current

    def book(self, user_id: int) -> None:
        course_index = self.rng.randrange(len(self.courses))
        past = self.rng.random() < 0.75
        current = self._session(course_index, past)
        session = current["row"]
        roll = self.rng.random()
        if current["seats"] == CAPACITY:
            status, seat = BookingStatus.WAITLISTED, None
            current["waiting"] += 1
        elif not past and roll < 0.1:
            status, seat = BookingStatus.CANCELLED, None
        else:
            current["seats"] += 1
            seat = current["seats"]
            status = (BookingStatus.BOOKED if not past else BookingStatus.ATTENDED if roll < 0.8
                      else BookingStatus.ABSENT if roll < 0.92 else BookingStatus.CANCELLED_LATE)
        booked = session["starts_at"] - timedelta(days=self.rng.randint(7, 60))
        self.bookings.append({"id": self.booking_id, "session_id": session["id"], "user_id": user_id,
                              "status": status.value, "seat": seat, "created_at": booked, "updated_at": booked})
        if status is BookingStatus.ATTENDED:
            course = self.courses[course_index]
            for module_id, version in course["modules"]:
                self.completions.append({
                    "user_id": user_id, "module_id": module_id, "attempt_id": None, "booking_id": self.booking_id,
                    "completed_at": session["starts_at"],
                    "expires_at": add_months(session["starts_at"], course["validity_months"]),
                    "module_version": version, "score": None, "source": CompletionSource.COURSE.value,
                    "certificate_code": f"S{self.seed}-B{self.booking_id:09d}-{module_id}",
                })
        self.booking_id += 1

    def take(self) -> tuple[list[dict], list[dict], list[dict]]:
        """The rows gathered since the last call; sessions still filling stay open."""
        taken = self.sessions, self.bookings, self.completions
        self.sessions, self.bookings, self.completions = [], [], []
        return taken


@dataclass
class _Rows:
    """The rows one block of people adds, in the order they are inserted."""
    users: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)  # drawn, not yet answered
    answers: list[dict] = field(default_factory=list)  # drawn and answered (inserted apart: other columns)
    completions: list[dict] = field(default_factory=list)


def _learning_rows(rng: random.Random, now: datetime, seed: int, user_id: int, attempt_id: int, modules: list,
                   contents: dict, rows: _Rows) -> int:
    """One person's e-learning, drawn module by module: none, an open attempt (with its
    questions drawn), a failed one, or a pass with its completion; appended to `rows`.
    Returns the next attempt id."""
    for module in modules:
        roll = rng.random()
        if roll < 0.25:
            continue  # not started
        started = now - timedelta(days=rng.randint(0, 900))
        if roll < 0.35:
            content = contents[module.slug]
            drawn = drawn_question_rows(content, rng)
            rows.attempts.append({"id": attempt_id, "user_id": user_id, "module_id": module.id,
                                  "module_version": module.version, "status": "in_progress", "started_at": started,
                                  "total": len(drawn), "path": [stage.id for stage in content.main_stages],
                                  "score": None, "passed": None, "submitted_at": None})
            rows.questions.extend({"attempt_id": attempt_id, **row} for row in drawn)
            attempt_id += 1
            continue
        passed = roll >= 0.40
        content = contents[module.slug]
        submitted = started + timedelta(minutes=18)
        # As the demo's: a pass has one wrong answer or none, a fail three to five.
        total = content.questions_per_attempt
        score = total - (rng.choice((0, 1)) if passed else rng.choice((3, 4, 5)))
        answered = answered_question_rows(content, score, rng, submitted)
        rows.attempts.append({"id": attempt_id, "user_id": user_id, "module_id": module.id,
                              "module_version": module.version, "status": "submitted", "started_at": started,
                              "submitted_at": submitted, "score": score, "total": len(answered), "passed": passed,
                              "path": [stage.id for stage in content.main_stages]})
        rows.answers.extend({"attempt_id": attempt_id, **row} for row in answered)
        if passed:
            rows.completions.append({
                "user_id": user_id, "module_id": module.id, "attempt_id": attempt_id, "completed_at": submitted,
                "expires_at": add_months(submitted, module.validity_months), "module_version": module.version,
                "score": round(100 * score / len(answered)), "source": "e-learning",
                "certificate_code": f"S{seed}-{attempt_id:09d}",
            })
        attempt_id += 1
    return attempt_id


def seed_scale(practitioners: int, agencies: int = 50, seed: int = 1,
               progress: Callable[[int], None] | None = None) -> dict:
    """Add `practitioners` people (numbered after any added before) with their learning."""
    rng = random.Random(f"{seed}-{practitioners}-{_next_id(User)}")
    now = utcnow().replace(microsecond=0)
    modules = list(sync_modules(catalogue()).values())
    contents = catalogue().modules
    agency_rows = _agencies(agencies)
    start = db.session.scalar(select(func.count(User.id)).where(User.email.like("scale-%"))) or 0
    probe = User()
    probe.set_password(f"scale-{seed}-not-for-sign-in")
    user_id, attempt_id = _next_id(User), _next_id(Attempt)
    places = _Places(_courses(modules), rng, now, seed)
    counts = {"users": 0, "attempts": 0, "answers": 0, "completions": 0, "bookings": 0}

    with summary.paused():  # bulk inserts: the summary is worked out once, after them
        for block in range(0, practitioners, CHUNK):
            rows = _Rows()
            for n in range(block, min(block + CHUNK, practitioners)):
                number = start + n
                agency_id, teams = agency_rows[number % len(agency_rows)]
                rows.users.append({"id": user_id, "email": f"scale-{number}@example.org", "name": f"Scale Person {number:06}",
                                   "password_hash": probe.password_hash, "role": "practitioner", "agency_id": agency_id,
                                   "team_id": teams[number % len(teams)], "job_title": "Practitioner", "active": True,
                                   "created_at": now})
                attempt_id = _learning_rows(rng, now, seed, user_id, attempt_id, modules, contents, rows)
                if rng.random() < BOOKING_SHARE:
                    places.book(user_id)
                user_id += 1
            sessions, bookings, course_completions = places.take()
            # In foreign-key order; an empty list is skipped (it would insert one default row).
            # The answers, eight to a submitted attempt and the most rows by far, go in through
            # the table: the ORM's bulk insert would sort out every row's columns once more.
            answers = db.metadata.tables[AttemptQuestion.__tablename__]
            for model, batch in ((User, rows.users), (Attempt, rows.attempts), (AttemptQuestion, rows.questions),
                                 (answers, rows.answers), (Completion, rows.completions),
                                 (CourseSession, sessions), (Booking, bookings), (Completion, course_completions)):
                if batch:
                    db.session.execute(insert(model), batch)
            db.session.commit()
            counts["users"] += len(rows.users)
            counts["attempts"] += len(rows.attempts)
            counts["answers"] += len(rows.answers)
            counts["completions"] += len(rows.completions) + len(course_completions)
            counts["bookings"] += len(bookings)
            if progress:
                progress(len(rows.users))
    summary.rebuild()
    _reset_sequences()
    from learning.compliance.trend import demo_history

    demo_history(now.date())  # a year of compliance figures for the trend charts and the board pack
    from learning.compliance.counted import recount

    recount()  # the partnership dashboard's figures, as the worker would count them
    from learning.compliance import counted_questions

    counted_questions.recount()  # and the questions staff get wrong
    return counts


def _reset_sequences() -> None:
    """Explicit ids skip PostgreSQL's sequences; move them past the rows just written."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("user", "attempt", "completion", "course_session", "booking"):  # fixed names, not input
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"))  # noqa: S608
    db.session.commit()
