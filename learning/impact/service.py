"""The impact figures, per review recommendation and agency: people trained, mean
confidence before and after (people who rated both), and the share reporting use in
practice at follow-up; with a sample of the examples people gave.

A constant number of SQL aggregates whatever the workforce. Which module teaches which
recommendation lives in quizzes/, so it goes into each query as a small VALUES table.
Each person belongs to one agency, so the partnership's figure for a recommendation is the
sum of its agencies' figures. Cells from fewer than MIN_PEOPLE people are suppressed, as on
the misconceptions page. Free text: coordinators see every example; an agency lead sees
only their own agency's examples that the person chose to share; exports never show names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Float, String, case, cast, distinct, func, literal, select, union_all
from sqlalchemy.sql import ColumnElement

from learning.compliance.insight import MIN_PEOPLE
from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.impact.models import ConfidenceRating, FollowUp, Moment, Used
from learning.models import Agency, Completion, Module, User

EXAMPLES_PER_RECOMMENDATION = 3


@dataclass
class Cell:
    trained: int = 0
    rated: int = 0  # people who rated both before and after
    before_sum: float = 0.0  # of each person's mean rating
    after_sum: float = 0.0
    answered: int = 0  # people who answered a follow-up
    used: int = 0  # of them, people who said yes

    def add(self, other: Cell) -> None:
        for name in ("trained", "rated", "before_sum", "after_sum", "answered", "used"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def confidence_suppressed(self) -> bool:
        return self.rated < MIN_PEOPLE

    @property
    def follow_up_suppressed(self) -> bool:
        return self.answered < MIN_PEOPLE

    @property
    def before(self) -> float | None:
        return None if self.confidence_suppressed else round(self.before_sum / self.rated, 1)

    @property
    def after(self) -> float | None:
        return None if self.confidence_suppressed else round(self.after_sum / self.rated, 1)

    @property
    def change(self) -> float | None:
        if self.confidence_suppressed:
            return None
        return round((self.after_sum - self.before_sum) / self.rated, 1)

    @property
    def used_percent(self) -> int | None:
        return None if self.follow_up_suppressed else round(100 * self.used / self.answered)


@dataclass
class RecommendationFigures:
    id: str
    title: str
    cells: dict[int, Cell] = field(default_factory=dict)  # by agency id
    total: Cell = field(default_factory=Cell)
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Figures:
    agencies: list[tuple[int, str]]
    recommendations: list[RecommendationFigures]
    start: date | None
    end: date | None
    min_people: int = MIN_PEOPLE

    @property
    def empty(self) -> bool:
        return not any(r.total.trained or r.total.rated or r.total.answered for r in self.recommendations)


def _taught():
    """(module slug, recommendation) for every recommendation a module teaches, as a
    subquery of literal rows (SQLite has no VALUES with column names)."""
    pairs = [(m.slug, rec) for m in catalogue().ordered() for rec in m.recommendations] or [("", "")]
    return union_all(*(select(literal(slug, String).label("slug"), literal(rec, String).label("rec"))
                       for slug, rec in pairs)).subquery("taught")


def _within(moment: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if start:
        where.append(moment >= datetime.combine(start, time.min))
    if end:
        where.append(moment < datetime.combine(end + timedelta(days=1), time.min))
    return where


def _agencies(agency_ids: tuple[int, ...] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [User.agency_id.is_not(None)]
    if agency_ids is not None:
        where.append(User.agency_id.in_(agency_ids))
    return where


def _trained(taught, agency_ids, start, end):
    return db.session.execute(
        select(taught.c.rec, User.agency_id, func.count(distinct(Completion.user_id)))
        .join_from(Completion, Module, Module.id == Completion.module_id)
        .join(taught, taught.c.slug == Module.slug).join(User, User.id == Completion.user_id)
        .where(Completion.revoked_at.is_(None), *_agencies(agency_ids), *_within(Completion.completed_at, start, end))
        .group_by(taught.c.rec, User.agency_id)).all()


def _confidence(agency_ids, start, end):
    def mean_at(moment: Moment):
        return func.avg(cast(case((ConfidenceRating.moment == moment.value, ConfidenceRating.rating)), Float))

    per_person = (select(ConfidenceRating.user_id, ConfidenceRating.recommendation.label("rec"),
                         mean_at(Moment.BEFORE).label("before"), mean_at(Moment.AFTER).label("after"))
                  .where(*_within(ConfidenceRating.rated_at, start, end))
                  .group_by(ConfidenceRating.user_id, ConfidenceRating.recommendation).subquery())
    return db.session.execute(
        select(per_person.c.rec, User.agency_id, func.count(), func.sum(per_person.c.before),
               func.sum(per_person.c.after))
        .join(User, User.id == per_person.c.user_id)
        .where(per_person.c.before.is_not(None), per_person.c.after.is_not(None), *_agencies(agency_ids))
        .group_by(per_person.c.rec, User.agency_id)).all()


def _answered(taught, agency_ids, start, end):
    per_person = (select(FollowUp.user_id, taught.c.rec,
                         func.max(case((FollowUp.used == Used.YES.value, 1), else_=0)).label("used"))
                  .join(Completion, Completion.id == FollowUp.completion_id)
                  .join(Module, Module.id == Completion.module_id).join(taught, taught.c.slug == Module.slug)
                  .where(FollowUp.answered_at.is_not(None), *_within(FollowUp.answered_at, start, end))
                  .group_by(FollowUp.user_id, taught.c.rec).subquery())
    return db.session.execute(
        select(per_person.c.rec, User.agency_id, func.count(), func.sum(per_person.c.used))
        .join(User, User.id == per_person.c.user_id).where(*_agencies(agency_ids))
        .group_by(per_person.c.rec, User.agency_id)).all()


def _examples(taught, agency_ids, shared_only: bool, start, end) -> dict[str, list[str]]:
    where = [FollowUp.example.is_not(None), *_agencies(agency_ids), *_within(FollowUp.answered_at, start, end)]
    if shared_only:
        where.append(FollowUp.shared.is_(True))
    ranked = (select(taught.c.rec, FollowUp.example, func.row_number().over(
        partition_by=taught.c.rec, order_by=(FollowUp.answered_at.desc(), FollowUp.id.desc())).label("n"))
        .join_from(FollowUp, Completion, Completion.id == FollowUp.completion_id)
        .join(Module, Module.id == Completion.module_id).join(taught, taught.c.slug == Module.slug)
        .join(User, User.id == FollowUp.user_id).where(*where).subquery())
    found: dict[str, list[str]] = {}
    for rec, example in db.session.execute(select(ranked.c.rec, ranked.c.example)
                                           .where(ranked.c.n <= EXAMPLES_PER_RECOMMENDATION)
                                           .order_by(ranked.c.rec, ranked.c.n)):
        found.setdefault(rec, []).append(example)
    return found


def figures(agency_ids: tuple[int, ...] | None, examples: str = "all", start: date | None = None,
            end: date | None = None) -> Figures:
    """The impact figures for the agencies given (None: every agency). `examples`: "all"
    (coordinators), "shared" (an agency lead: only what people chose to share) or "none"."""
    taught = _taught()
    review = catalogue()
    recs = {r.id: RecommendationFigures(r.id, r.title) for r in review.recommendations.values()}

    def cell(rec: str, agency_id: int) -> Cell:
        return recs[rec].cells.setdefault(agency_id, Cell()) if rec in recs else Cell()

    for rec, agency_id, people in _trained(taught, agency_ids, start, end):
        cell(rec, agency_id).trained = people
    for rec, agency_id, people, before, after in _confidence(agency_ids, start, end):
        found = cell(rec, agency_id)
        found.rated, found.before_sum, found.after_sum = people, float(before or 0), float(after or 0)
    for rec, agency_id, people, used in _answered(taught, agency_ids, start, end):
        found = cell(rec, agency_id)
        found.answered, found.used = people, int(used or 0)
    if examples != "none":
        for rec, texts in _examples(taught, agency_ids, examples == "shared", start, end).items():
            if rec in recs:
                recs[rec].examples = texts
    for figures_ in recs.values():
        for one in figures_.cells.values():
            figures_.total.add(one)
    query = select(Agency.id, Agency.name).order_by(Agency.name)
    query = query.where(Agency.id.in_(agency_ids)) if agency_ids is not None else query.where(Agency.active.is_(True))
    agencies = [(agency_id, name) for agency_id, name in db.session.execute(query)]
    return Figures(agencies, list(recs.values()), start, end)
