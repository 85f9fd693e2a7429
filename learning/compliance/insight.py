"""Learning insight: which questions each agency's staff get wrong first time.

For every person, only their first answer to a question counts (a retake after reading
the feedback says little about what they believed). Cells for fewer than MIN_PEOPLE
people are suppressed, so no one can be singled out.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, case, func, select

from learning.extensions import db
from learning.models import Attempt, AttemptQuestion, Module, User

MIN_PEOPLE = 5


@dataclass(frozen=True)
class Cell:
    people: int
    wrong: int

    @property
    def suppressed(self) -> bool:
        return self.people < MIN_PEOPLE

    @property
    def percent_wrong(self) -> int | None:
        return None if self.suppressed else round(100 * self.wrong / self.people)


def first_answer_errors(agency_ids: tuple[int, ...] | None = None) -> dict[tuple[str, str], dict[int, Cell]]:
    """{(module slug, question id): {agency id: Cell}} in one query."""
    answers = (
        select(
            User.agency_id, Module.slug, AttemptQuestion.question_id, AttemptQuestion.is_correct,
            func.row_number().over(
                partition_by=(Attempt.user_id, Attempt.module_id, AttemptQuestion.question_id),
                order_by=(AttemptQuestion.answered_at, AttemptQuestion.id),
            ).label("nth"),
        )
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .join(Module, Module.id == Attempt.module_id)
        .where(AttemptQuestion.answered_at.is_not(None), User.agency_id.is_not(None))
    )
    if agency_ids is not None:
        answers = answers.where(User.agency_id.in_(agency_ids))
    ranked = answers.subquery()
    wrong = func.sum(case((ranked.c.is_correct.is_(False), 1), else_=0)).cast(Integer)
    rows = db.session.execute(
        select(ranked.c.slug, ranked.c.question_id, ranked.c.agency_id, func.count(), wrong)
        .where(ranked.c.nth == 1)
        .group_by(ranked.c.slug, ranked.c.question_id, ranked.c.agency_id)
    ).all()
    result: dict[tuple[str, str], dict[int, Cell]] = {}
    for slug, question_id, agency_id, people, wrong_count in rows:
        result.setdefault((slug, question_id), {})[agency_id] = Cell(people, wrong_count or 0)
    return result
