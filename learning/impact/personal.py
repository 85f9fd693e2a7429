"""The impact data as personal data: what a subject access workbook shows of it, and what
erasure removes. The person's own words (follow-up examples and obstacles, evaluation
comments) go on erasure; the figures (ratings, yes/no/not yet, usefulness) stay, anonymous
with the erased account, so past figures do not change."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update

from learning.extensions import db
from learning.impact.models import ConfidenceRating, CourseEvaluation, FollowUp, Used
from learning.models import Completion, Module


def erase_words(user_id: int) -> None:
    """Remove the person's free text (the caller commits)."""
    db.session.execute(update(FollowUp).where(FollowUp.user_id == user_id)
                       .values(example=None, barriers=None, shared=False))
    db.session.execute(update(CourseEvaluation).where(CourseEvaluation.user_id == user_id)
                       .values(differently=None, comments=None, shared=False))


def _shared(shared: bool, *words: str | None) -> str:
    return ("Yes" if shared else "No") if any(words) else ""


def subject_access_sheets(sheet: Callable, user_id: int) -> None:
    """Add the impact sheets with `sheet(title, headers, rows, widths)` (subject_access._sheet)."""
    titles = dict(db.session.execute(select(Module.id, Module.title)).all())
    ratings = db.session.scalars(select(ConfidenceRating).where(ConfidenceRating.user_id == user_id)
                                 .order_by(ConfidenceRating.rated_at, ConfidenceRating.id))
    sheet("Confidence ratings", ["Rated", "Before or after", "Recommendation", "Rating (1 to 5)", "Attempt", "Booking"],
          ([r.rated_at, r.moment, r.recommendation, r.rating, r.attempt_id or "", r.booking_id or ""] for r in ratings),
          [16, 12, 30, 12, 10, 10])
    follow_ups = db.session.execute(select(FollowUp, Completion.module_id)
                                    .join(Completion, Completion.id == FollowUp.completion_id)
                                    .where(FollowUp.user_id == user_id).order_by(FollowUp.sent_at))
    sheet("Follow-ups", ["Module", "Asked", "Answered", "Used in practice", "Example", "What got in the way",
                         "Shared with your agency lead"],
          ([titles.get(module_id), f.sent_at, f.answered_at, Used(f.used).label if f.used else "", f.example or "",
            f.barriers or "", _shared(f.shared, f.example, f.barriers)] for f, module_id in follow_ups),
          [36, 14, 14, 12, 60, 40, 14])
    evaluations = db.session.scalars(select(CourseEvaluation).where(CourseEvaluation.user_id == user_id)
                                     .order_by(CourseEvaluation.id))
    sheet("Course evaluations", ["Booking", "Sent", "Usefulness (1 to 5)", "What you will do differently", "Comments",
                                 "Shared with your agency lead"],
          ([e.booking_id, e.submitted_at, e.usefulness, e.differently or "", e.comments or "",
            _shared(e.shared, e.differently, e.comments)] for e in evaluations),
          [10, 14, 12, 60, 50, 14])
