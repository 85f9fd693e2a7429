"""seed-scale: the synthetic workforce behind the scale benchmark, driven through the CLI."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from learning.compliance import Scope, figures_by
from learning.compliance.status import Status
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
    Module,
    Team,
    User,
    course_module,
)


def _seed(runner, practitioners: int, seed: int = 5):
    result = runner.invoke(args=["seed-scale", "--practitioners", str(practitioners), "--agencies", "3",
                                 "--seed", str(seed)])
    assert result.exit_code == 0, result.output
    return result.output


def _fingerprint() -> dict:
    """Everything seed-scale writes, without ids or the moment it ran."""
    return {
        "people": sorted(db.session.execute(select(User.email, Agency.name, Team.name).join(Agency, User.agency)
                                            .join(Team, User.team)).all()),
        "attempts": sorted(db.session.execute(select(User.email, Attempt.module_id, Attempt.status, Attempt.score)
                                              .join(User, Attempt.user)).all()),
        "answers": sorted(db.session.execute(select(User.email, Attempt.module_id, AttemptQuestion.question_id,
                                                    AttemptQuestion.is_correct)
                                             .join(Attempt, AttemptQuestion.attempt).join(User, Attempt.user)).all()),
        "completions": sorted(db.session.execute(select(User.email, Completion.module_id, Completion.source)
                                                 .join(User, Completion.user)).all()),
        "bookings": sorted(db.session.execute(select(User.email, Booking.status, Booking.seat)
                                              .join(User, Booking.user)).all()),
    }


def _wipe() -> None:
    """Delete what seed-scale wrote, keeping the modules and required learning."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in ("module", "requirement"):
            db.session.execute(table.delete())
    db.session.commit()


def test_seed_scale_adds_the_people_with_progress_and_a_summary(runner, ctx):
    output = _seed(runner, 400)
    assert "Adding practitioners" in output, "a progress bar for long runs"
    users = db.session.scalar(select(func.count()).select_from(User).where(User.email.like("scale-%")))
    assert users == 400
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 3
    assert db.session.scalar(select(func.count()).select_from(Team)) == 12
    counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
              for model in (Attempt, Completion, Booking)}
    answered = db.session.scalar(select(func.count()).select_from(AttemptQuestion)
                                 .where(AttemptQuestion.answered_at.is_not(None)))
    assert f"Added 400 practitioners, {counts['Attempt']:,} attempts ({answered:,} questions answered), " \
           f"{counts['Completion']:,} completions and {counts['Booking']:,} course bookings" in output
    modules = db.session.scalar(select(func.count()).select_from(Module))
    assert 400 * modules * 0.6 < counts["Attempt"] < 400 * modules, "most people have started most modules"


def test_every_compliance_status_occurs(runner, ctx):
    _seed(runner, 400)
    seen = Counter()
    for figures in figures_by(Scope()).values():
        seen.update({status: n for status, n in figures.counts.items() if n})
    assert set(seen) == set(Status), seen


def test_bookings_respect_capacity_and_attendance_completes_the_courses_modules(runner, ctx):
    _seed(runner, 3000)
    statuses = Counter(db.session.scalars(select(Booking.status)))
    for status in (BookingStatus.ATTENDED, BookingStatus.ABSENT, BookingStatus.CANCELLED_LATE,
                   BookingStatus.BOOKED, BookingStatus.CANCELLED, BookingStatus.WAITLISTED):
        assert statuses[status.value] > 0, (status, statuses)

    for session in db.session.scalars(select(CourseSession)):
        seats = [b.seat for b in session.bookings if b.seat is not None]
        assert len(seats) <= session.capacity and sorted(seats) == list(range(1, len(seats) + 1))
        waiting = [b for b in session.bookings if b.status == BookingStatus.WAITLISTED.value]
        assert not waiting or len(seats) == session.capacity, "only a full session has a wait list"
        if session.register_taken_at is None:
            assert all(b.status in ("booked", "cancelled", "waitlisted") for b in session.bookings)
        else:
            assert all(b.status in ("attended", "absent", "cancelled_late") for b in session.bookings)

    attended = db.session.scalars(select(Booking).where(Booking.status == BookingStatus.ATTENDED.value)).all()
    course_modules = {}
    for course_id, module_id in db.session.execute(select(course_module.c.course_id, course_module.c.module_id)):
        course_modules.setdefault(course_id, set()).add(module_id)
    completed = {}
    for booking_id, module_id, source in db.session.execute(
            select(Completion.booking_id, Completion.module_id, Completion.source).where(Completion.booking_id.is_not(None))):
        assert source == CompletionSource.COURSE.value
        completed.setdefault(booking_id, set()).add(module_id)
    assert {b.id: course_modules[b.session.course_id] for b in attended} == completed
    assert db.session.scalar(select(func.count()).select_from(Course)) == 2


def test_the_same_seed_gives_the_same_workforce(runner, ctx):
    _seed(runner, 300, seed=9)
    first = _fingerprint()
    _wipe()
    _seed(runner, 300, seed=9)
    assert _fingerprint() == first
    _wipe()
    _seed(runner, 300, seed=10)
    assert _fingerprint() != first


def test_a_second_run_adds_more_people_after_the_first(runner, ctx):
    _seed(runner, 200)
    _seed(runner, 100)
    emails = set(db.session.scalars(select(User.email)))
    assert len(emails) == 300 and "scale-299@example.org" in emails
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 3, "agencies are reused"
    assert db.session.scalar(select(func.count()).select_from(Course)) == 2, "courses are reused"


def test_submitted_attempts_have_their_questions_answered_as_scored(runner, ctx):
    from learning.compliance.insight import first_answer_errors

    _seed(runner, 200)
    submitted = db.session.scalars(select(Attempt).where(Attempt.status == "submitted")).all()
    assert submitted
    for attempt in submitted:
        answers = [q for q in attempt.questions if q.answered_at is not None]
        assert len(answers) == attempt.total == 8
        assert sum(q.is_correct for q in answers) == attempt.score
        assert attempt.passed == (attempt.score >= 7)
    errors = first_answer_errors()
    assert errors and any(c.wrong for cells in errors.values() for c in cells.values())
