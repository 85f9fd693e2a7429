"""Confidence ratings: how sure a person is (1 to 5) of each learning outcome, before and
after a module attempt or a course. Only outcomes of the module (or of the course's
modules) are accepted, each rated 1 to 5; a second answer for the same moment changes
nothing."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning.extensions import db
from learning.impact.models import HIGHEST, LOWEST, ConfidenceRating, Moment
from learning.models import utcnow


class RatingError(ValueError):
    """Ratings the service refuses: a number outside 1 to 5, or an outcome not on offer."""


def check(ratings: Mapping[str, int], allowed: Iterable[str]) -> None:
    offered = set(allowed)
    for recommendation, rating in ratings.items():
        if recommendation not in offered:
            raise RatingError(f"'{recommendation}' is not a learning outcome of this module")
        if isinstance(rating, bool) or not isinstance(rating, int) or not LOWEST <= rating <= HIGHEST:
            raise RatingError(f"A rating must be a whole number from {LOWEST} to {HIGHEST}")


def _source(attempt_id: int | None, booking_id: int | None):
    if (attempt_id is None) == (booking_id is None):
        raise ValueError("A rating belongs to an attempt or to a booking")
    return (ConfidenceRating.attempt_id == attempt_id if attempt_id is not None
            else ConfidenceRating.booking_id == booking_id)


def rated(moment: Moment, attempt_id: int | None = None, booking_id: int | None = None) -> dict[str, int]:
    """The ratings given at `moment`, by recommendation."""
    rows = db.session.execute(select(ConfidenceRating.recommendation, ConfidenceRating.rating)
                              .where(_source(attempt_id, booking_id), ConfidenceRating.moment == moment.value))
    return {recommendation: rating for recommendation, rating in rows}


def save(user_id: int, moment: Moment, ratings: Mapping[str, int], allowed: Iterable[str],
         attempt_id: int | None = None, booking_id: int | None = None, commit: bool = True) -> bool:
    """Store the ratings; False (and nothing changed) if this moment was already rated."""
    check(ratings, allowed)
    if not ratings or rated(moment, attempt_id, booking_id):
        return False
    now = utcnow()
    db.session.add_all(ConfidenceRating(user_id=user_id, attempt_id=attempt_id, booking_id=booking_id,
                                        moment=moment.value, recommendation=recommendation, rating=rating,
                                        rated_at=now)
                       for recommendation, rating in ratings.items())
    if not commit:
        return True
    try:
        db.session.commit()
    except IntegrityError:  # the same moment rated at once in two tabs: the first stands
        db.session.rollback()
        return False
    return True
