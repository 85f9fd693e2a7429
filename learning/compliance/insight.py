"""Learning insight: which questions staff get wrong the first time they answer them.

For every person, only their first answer to a question counts (a retake after reading the
feedback says little about what they believed). One SQL aggregate counts, per question and
agency, the people who answered and how many of them were wrong; everything else (the
partnership's figure, the suppression, the sort and the page) is worked out from its rows.
The worker runs that aggregate and keeps its rows (learning/compliance/counted_questions.py);
pages, the workbook's sheet and the board pack work from the kept rows in the same way.

Suppression, so that no one can be singled out:
- a figure from fewer than MIN_PEOPLE people is not shown (primary suppression);
- where a question's agency figures add up to a partnership figure that is shown, hidden
  agencies' figures could be worked out by subtraction, so the smallest agency figures still
  shown are hidden too until the hidden ones hold MIN_PEOPLE people or more (secondary
  suppression). The same rule applies on every page and
  in the workbook, so what one view hides another cannot give away.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import Integer, case, func, select

from learning.content.catalogue import catalogue
from learning.content.schema import ModuleContent, Question
from learning.extensions import db
from learning.models import Attempt, AttemptQuestion, Module, User

MIN_PEOPLE = 5


@dataclass(frozen=True)
class Cell:
    people: int
    wrong: int
    protects_another: bool = False  # hidden so that a smaller figure cannot be worked out

    @property
    def suppressed(self) -> bool:
        return self.people < MIN_PEOPLE or self.protects_another

    @property
    def share_wrong(self) -> float | None:
        return None if self.suppressed or not self.people else self.wrong / self.people

    @property
    def percent_wrong(self) -> int | None:
        share = self.share_wrong
        return None if share is None else round(100 * share)


NO_ANSWERS = Cell(0, 0)


class Sort(str, enum.Enum):
    WRONG = "wrong"
    ANSWERED = "answered"
    MODULE = "module"

    @property
    def label(self) -> str:
        return {"wrong": "Highest share wrong", "answered": "Most people answered", "module": "Course order"}[self.value]


Key = tuple[str, str]  # (module slug, question id)
Errors = dict[Key, dict[int, Cell]]  # per question, per agency: before suppression


def first_answer_errors(agency_ids: tuple[int, ...] | None = None, module_slug: str | None = None,
                        question_id: str | None = None) -> Errors:
    """{(module slug, question id): {agency id: Cell}} in one query, before suppression: for
    every question, or those of one module, or one question (its answers alone are read)."""
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
    if module_slug is not None:
        answers = answers.where(Module.slug == module_slug)
    if question_id is not None:
        answers = answers.where(AttemptQuestion.question_id == question_id)
    ranked = answers.subquery()
    wrong = func.sum(case((ranked.c.is_correct.is_(False), 1), else_=0)).cast(Integer)
    rows = db.session.execute(
        select(ranked.c.slug, ranked.c.question_id, ranked.c.agency_id, func.count(), wrong)
        .where(ranked.c.nth == 1)
        .group_by(ranked.c.slug, ranked.c.question_id, ranked.c.agency_id)
    ).all()
    result: Errors = {}
    for slug, question_id, agency_id, people, wrong_count in rows:
        result.setdefault((slug, question_id), {})[agency_id] = Cell(people, wrong_count or 0)
    return result


def within(errors: Errors, agency_ids: tuple[int, ...] | None = None, module_slug: str | None = None) -> Errors:
    """Only the cells of some agencies (all when None) and of one module (all when None): the
    same figures as counting with those filters, since a person's first answer is theirs and
    they belong to one agency. A question none of those agencies answered is left out, as
    the count leaves it out."""
    found: Errors = {}
    for key, cells in errors.items():
        if module_slug is not None and key[0] != module_slug:
            continue
        kept = {a: c for a, c in cells.items() if agency_ids is None or a in agency_ids}
        if kept:
            found[key] = kept
    return found


def total(cells: Iterable[Cell]) -> Cell:
    """The figure for several agencies together."""
    cells = list(cells)
    return Cell(sum(c.people for c in cells), sum(c.wrong for c in cells))


def protect(cells: dict[int, Cell]) -> dict[int, Cell]:
    """The agencies' cells for one question with secondary suppression applied: while the
    hidden agencies together hold fewer than MIN_PEOPLE people and the total is shown (so
    their figures together could be worked out), hide the smallest figure still shown."""
    hidden = [c.people for c in cells.values() if c.people < MIN_PEOPLE]
    if not hidden or total(cells.values()).suppressed:
        return cells
    shown = sorted((c.people, a) for a, c in cells.items() if c.people >= MIN_PEOPLE)
    protected = dict(cells)
    while sum(hidden) < MIN_PEOPLE and shown:
        people, agency = shown.pop(0)
        protected[agency] = replace(cells[agency], protects_another=True)
        hidden.append(people)
    return protected


@dataclass(frozen=True)
class QuestionFigures:
    module: ModuleContent
    question: Question
    cell: Cell  # for the partnership, or for the one agency asked about

    @property
    def answered(self) -> bool:
        return self.cell.people > 0


def question_figures(agency_id: int | None = None, module_slug: str | None = None,
                     sort: Sort = Sort.WRONG, errors: Errors | None = None) -> list[QuestionFigures]:
    """Every question of the catalogue (or of one module) with its figures for the
    partnership (agency_id None) or one agency, sorted: from `errors` (the kept figures) or,
    without them, counted afresh in one query."""
    errors = first_answer_errors(module_slug=module_slug) if errors is None else errors
    modules = [m for m in catalogue().ordered() if module_slug is None or m.slug == module_slug]
    found = []
    for module in modules:
        for question in module.questions:
            cells = protect(errors.get((module.slug, question.id), {}))
            cell = total(cells.values()) if agency_id is None else cells.get(agency_id, NO_ANSWERS)
            found.append(QuestionFigures(module, question, cell))
    return sorted(found, key=_sort_key(sort, found))


def _sort_key(sort: Sort, found: list[QuestionFigures]):
    order = {id(f): i for i, f in enumerate(found)}  # the course order, to break ties
    if sort is Sort.MODULE:
        return lambda f: order[id(f)]
    if sort is Sort.ANSWERED:
        return lambda f: (-f.cell.people, order[id(f)])
    # Share wrong: questions whose figure is not shown go after every shown figure.
    return lambda f: (f.cell.share_wrong is None, -(f.cell.share_wrong or 0), -f.cell.people, order[id(f)])


def by_agency(module_slug: str, question_id: str, agency_ids: tuple[int, ...] | None,
              errors: Errors | None = None) -> tuple[Cell, dict[int, Cell]]:
    """One question's figure for the partnership and its agencies' cells (only those in
    `agency_ids` when given), suppressed the same way as everywhere else: from `errors` (the
    kept figures) or, without them, counted afresh in one query of that question's answers."""
    if errors is None:
        errors = first_answer_errors(module_slug=module_slug, question_id=question_id)
    cells = protect(errors.get((module_slug, question_id), {}))
    partnership = total(cells.values())
    if agency_ids is not None:
        cells = {a: c for a, c in cells.items() if a in agency_ids}
    return partnership, cells
