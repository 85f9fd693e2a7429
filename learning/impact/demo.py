"""Demo impact data for seed-demo: confidence ratings on attempts, course evaluations and
follow-up answers, so the impact page, sheet and board-pack page have figures. Idempotent:
attempts, bookings and completions that already have them are left alone."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.impact.models import ConfidenceRating, CourseEvaluation, FollowUp, Moment, Used
from learning.models import Attempt, AttemptStatus, Booking, BookingStatus, Completion, Course, CourseSession, Module

EXAMPLES = [
    "I asked to see the baby's sleeping space on a home visit instead of taking the parent's word for it.",
    "At a core group I asked who was checking that the grandmother's help was really happening.",
    "I used the escalation procedure when a referral was closed and the nursery still had worries.",
    "I wrote a written update for a core group I could not attend, so the plan was not held up.",
    "I explained to a colleague that police protection lasts no more than 72 hours.",
    "I asked a young person what had happened to her, not only what she had done.",
]
BARRIERS = [
    "Caseload: there was no time to follow it up.",
    "The other agency did not reply to my emails.",
    "",
]
FEEDBACK = [
    "Hearing from the other agencies in the room helped most.",
    "More time on recording dissent would help.",
    "",
]


def _ratings(rng: random.Random, recs: tuple[str, ...], lift: int) -> dict[str, int]:
    before = {rec: rng.randint(1, 3) for rec in recs}
    return {f"before:{rec}": value for rec, value in before.items()} | {
        f"after:{rec}": min(5, value + rng.randint(0, lift)) for rec, value in before.items()}


def _rate_attempts(rng: random.Random, outcomes: dict[str, tuple[str, ...]]) -> None:
    rated = set(db.session.scalars(select(ConfidenceRating.attempt_id).where(ConfidenceRating.attempt_id.is_not(None))))
    attempts = db.session.execute(select(Attempt.id, Attempt.user_id, Attempt.status, Module.slug)
                                  .join(Module, Module.id == Attempt.module_id).order_by(Attempt.id)).all()
    for attempt_id, user_id, status, slug in attempts:
        recs = outcomes.get(slug, ())
        # Every attempt in progress was rated at its start (so Start resumes at question 1).
        # Some people skip the ratings (decided by the id, so a second run skips the same ones).
        skipped = status == AttemptStatus.SUBMITTED.value and attempt_id % 7 == 0
        if attempt_id in rated or not recs or skipped:
            continue
        for key, value in _ratings(rng, recs, 3).items():
            moment, rec = key.split(":")
            if moment == Moment.AFTER.value and status != AttemptStatus.SUBMITTED.value:
                continue
            db.session.add(ConfidenceRating(user_id=user_id, attempt_id=attempt_id, moment=moment,
                                            recommendation=rec, rating=value))


def _follow_ups(rng: random.Random, now: datetime) -> None:
    asked = set(db.session.scalars(select(FollowUp.completion_id)))
    due = db.session.execute(select(Completion.id, Completion.user_id, Completion.completed_at)
                             .where(Completion.completed_at <= now - timedelta(days=90),
                                    Completion.revoked_at.is_(None)).order_by(Completion.id)).all()
    for completion_id, user_id, completed_at in due:
        if completion_id in asked or completion_id % 5 == 0:  # some were never asked
            continue
        sent = completed_at + timedelta(days=90)
        follow_up = FollowUp(completion_id=completion_id, user_id=user_id, sent_at=sent)
        if rng.random() < 0.7:
            used = rng.choices([Used.YES, Used.NOT_YET, Used.NO], weights=[6, 3, 1])[0]
            follow_up.answered_at = sent + timedelta(days=rng.randint(1, 10))
            follow_up.used = used.value
            follow_up.example = rng.choice(EXAMPLES) if used is Used.YES else None
            follow_up.barriers = rng.choice(BARRIERS) or None
            follow_up.shared = rng.random() < 0.5
        db.session.add(follow_up)


def _evaluations(rng: random.Random, outcomes: dict[str, tuple[str, ...]], now: datetime) -> None:
    rows = db.session.execute(
        select(Booking.id, Booking.user_id, Course.id).join(CourseSession, CourseSession.id == Booking.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(Booking.status == BookingStatus.ATTENDED.value)
        .where(~Booking.id.in_(select(CourseEvaluation.booking_id))).order_by(Booking.id)).all()
    for booking_id, user_id, course_id in rows:
        course = db.session.get_one(Course, course_id)
        recs = tuple(dict.fromkeys(rec for m in course.modules for rec in outcomes.get(m.slug, ())))
        db.session.add(CourseEvaluation(
            booking_id=booking_id, user_id=user_id, invited_at=now, submitted_at=now,
            usefulness=rng.randint(3, 5), differently=rng.choice(EXAMPLES), comments=rng.choice(FEEDBACK) or None,
            shared=rng.random() < 0.5))
        for key, value in _ratings(rng, recs, 2).items():
            moment, rec = key.split(":")
            db.session.add(ConfidenceRating(user_id=user_id, booking_id=booking_id, moment=moment,
                                            recommendation=rec, rating=value))


def seed_impact(now: datetime) -> None:
    rng = random.Random(22)  # noqa: S311 - demo data, not secrets
    outcomes = {m.slug: tuple(o.recommendation for o in m.outcomes) for m in catalogue().ordered()}
    _rate_attempts(rng, outcomes)
    _follow_ups(rng, now)
    _evaluations(rng, outcomes, now)
    db.session.commit()
