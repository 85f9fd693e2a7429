"""Taking a module: draw, answer, submit. All scoring happens here, on the server.

Each step is safe to repeat: starting twice resumes the open attempt, answering a question
twice keeps the first answer, submitting twice writes one completion. The guards are
conditional UPDATEs and unique constraints, so they hold across workers and databases.
"""
from __future__ import annotations

import base64
import random
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import CursorResult, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from learning.compliance.status import add_months
from learning.content import ModuleContent, Question
from learning.database import run
from learning.extensions import db
from learning.models import Attempt, AttemptQuestion, AttemptStatus, Completion, CompletionSource, Module, User, utcnow


class AttemptError(Exception):
    """A request that does not fit the attempt (wrong question, bad option, closed attempt)."""


def certificate_code() -> str:
    """120 random bits, in groups people can read out and type: XXXX-XXXX-...."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def draw_questions(content: ModuleContent, rng: random.Random) -> list[Question]:
    """Per main stage: every decision question plus a random sample of the rest, kept in
    the bank's order so the case still reads as a story."""
    drawn: list[Question] = []
    for stage in content.main_stages:
        pool = content.questions_in(stage.id)
        fixed = [q for q in pool if q.decision]
        others = [q for q in pool if not q.decision]
        chosen = set(id(q) for q in fixed + rng.sample(others, stage.draw - len(fixed)))
        drawn.extend(q for q in pool if id(q) in chosen)
    return drawn


def open_attempt(user: User, module: Module) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.module_id == module.id,
                              Attempt.status == AttemptStatus.IN_PROGRESS.value)
    )


class Started(NamedTuple):
    attempt_id: int
    next_position: int | None  # the first question not answered yet; None: all are


def start_or_resume(user: User, module: Module, content: ModuleContent,
                    rng: random.Random | None = None) -> Started:
    existing = open_attempt(user, module)
    if existing and existing.module_version == content.version:
        return _resumed(existing)
    if existing:
        # The content changed under an open attempt: its questions may no longer exist,
        # so it is closed unscored and a fresh one is drawn on the new version.
        existing.status = AttemptStatus.SUBMITTED.value
        existing.submitted_at = utcnow()
        existing.passed = False
        existing.score = None
        db.session.flush()
    rng = rng or random.SystemRandom()
    questions = draw_questions(content, rng)
    attempt = Attempt(
        user_id=user.id, module_id=module.id, module_version=content.version, total=len(questions),
        path=[stage.id for stage in content.main_stages],
    )
    rows = []
    for position, question in enumerate(questions, 1):
        order = [o.id for o in question.options]
        if question.kind.shuffle:
            rng.shuffle(order)
        rows.append({"position": position, "question_id": question.id, "option_order": order})
    db.session.add(attempt)
    try:
        db.session.flush()
        # The questions in one multi-row INSERT, and the id kept before the commit expires
        # the attempt: nothing is read back, the learner goes straight to question 1.
        attempt_id = attempt.id
        db.session.execute(insert(AttemptQuestion), [{"attempt_id": attempt_id, **row} for row in rows])
        db.session.commit()
    except IntegrityError:
        # Someone (a double click, another tab) started it a moment ago: use theirs.
        db.session.rollback()
        theirs = open_attempt(user, module)
        if theirs is None:
            raise
        return _resumed(theirs)
    return Started(attempt_id, 1)


def _resumed(attempt: Attempt) -> Started:
    pending = next((q for q in attempt.questions if q.answered_at is None), None)
    return Started(attempt.id, pending.position if pending else None)


class DrawnQuestion(NamedTuple):
    """A question drawn into an attempt (an AttemptQuestion row), as the learner's pages
    read it: its shuffled options and the first answer given."""

    id: int
    position: int
    question_id: str
    option_order: list[str]
    answer: list[str] | None
    is_correct: bool | None
    answered_at: datetime | None


class LearnerAttempt(NamedTuple):
    """An attempt (an Attempt row, its module's slug and its drawn questions in order), as
    every page of the learner's attempt reads it: question, answer, feedback, check,
    submit, result and review. Values, not ORM objects: the pages only read them, and
    loading the ORM's objects for an attempt and its fifteen or so questions cost more
    than the rest of a question page's Python. The path through the case is not here:
    only the review page shows it (`path_taken`), and every question's row would repeat
    and decode it. Changes go through the conditional UPDATEs below, never through this."""

    id: int
    user_id: int
    module_id: int
    module_slug: str
    module_version: int
    status: str
    score: int | None
    total: int
    passed: bool | None
    questions: tuple[DrawnQuestion, ...]

    @property
    def percent(self) -> int:
        return round(100 * (self.score or 0) / self.total) if self.total else 0


# One row per drawn question, the attempt's columns repeated on each. One statement object
# for every request, so SQLAlchemy works out its cache key once.
_LEARNER_ATTEMPT = (
    select(Attempt.user_id, Attempt.module_id, Module.slug.label("module_slug"), Attempt.module_version,
           Attempt.status, Attempt.score, Attempt.total, Attempt.passed,
           AttemptQuestion.id, AttemptQuestion.position, AttemptQuestion.question_id,
           AttemptQuestion.option_order, AttemptQuestion.answer, AttemptQuestion.is_correct,
           AttemptQuestion.answered_at)
    .join(Module, Module.id == Attempt.module_id)
    .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
    .where(Attempt.id == bindparam("attempt_id"))
    .order_by(AttemptQuestion.position)
)


def learner_attempt(attempt_id: int) -> LearnerAttempt | None:
    """The attempt, its module's slug and its drawn questions in order, or None if there is
    no such attempt."""
    # Columns by key from mappings(): a Row's attribute access (row.status) is first tried
    # as an ordinary attribute, which raises and discards an AttributeError every time.
    rows = run(_LEARNER_ATTEMPT, {"attempt_id": attempt_id}).mappings().all()
    if not rows:
        return None
    first = rows[0]
    return LearnerAttempt(
        id=attempt_id, user_id=first["user_id"], module_id=first["module_id"], module_slug=first["module_slug"],
        module_version=first["module_version"], status=first["status"], score=first["score"],
        total=first["total"], passed=first["passed"],
        questions=tuple(
            DrawnQuestion(id=row["id"], position=row["position"], question_id=row["question_id"],
                          option_order=row["option_order"], answer=row["answer"], is_correct=row["is_correct"],
                          answered_at=row["answered_at"])
            for row in rows),
    )


_PATH = select(Attempt.path).where(Attempt.id == bindparam("attempt_id"))


def path_taken(attempt_id: int) -> list[str]:
    """The stages the attempt has been through, in order, each consequence of a decision
    right after the stage it came from."""
    return run(_PATH, {"attempt_id": attempt_id}).scalar() or []


def next_unanswered(questions: Sequence[DrawnQuestion]) -> DrawnQuestion | None:
    """The first question not answered yet."""
    return next((q for q in questions if q.answered_at is None), None)


def question_at(questions: Sequence[DrawnQuestion], position: int) -> DrawnQuestion:
    for aq in questions:
        if aq.position == position:
            return aq
    raise AttemptError("That question is not part of this attempt.")


# Only the first answer counts, even when two arrive at once (a double click, two tabs):
# the UPDATE applies only while the question is still unanswered.
_FIRST_ANSWER = (
    update(AttemptQuestion)
    .where(AttemptQuestion.id == bindparam("question_row_id"), AttemptQuestion.answered_at.is_(None))
    .values(answer=bindparam("given"), is_correct=bindparam("right"), answered_at=bindparam("at"))
)


def answer(attempt: LearnerAttempt, aq: DrawnQuestion, content: ModuleContent, chosen: list[str]) -> None:
    """Record the first answer to `aq`, one of `attempt`'s questions. A repeat (double
    click, back button) is ignored."""
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        raise AttemptError("This attempt has already been submitted.")
    if aq.answered_at is not None:
        return
    question = content.question(aq.question_id)
    if question is None:
        raise AttemptError("That question is no longer in the module.")
    chosen_set = set(chosen)
    if not chosen_set or not chosen_set <= set(aq.option_order):
        raise AttemptError("Choose from the options shown for this question.")
    if not question.kind.multiple_answers and len(chosen_set) != 1:
        raise AttemptError("Choose one answer.")
    ordered = [o for o in aq.option_order if o in chosen_set]
    correct = question.is_right(chosen_set)
    result = cast(CursorResult, run(
        _FIRST_ANSWER, {"question_row_id": aq.id, "given": ordered, "right": correct, "at": utcnow()}))
    if result.rowcount == 1 and (branch := consequence_of(question, ordered)):
        path = path_taken(attempt.id)
        if branch not in path:
            # The path records the consequence stage right after the stage it came from.
            path.insert(path.index(question.stage) + 1, branch)
            db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(path=path))
    db.session.commit()


def consequence_of(question: Question, chosen: list[str]) -> str | None:
    """The branch stage the learner's choice leads to, if any."""
    for option_id in chosen:
        option = question.option(option_id)
        if option and option.leads_to:
            return option.leads_to
    return None


def passes(score: int, total: int, pass_mark: int) -> bool:
    """At least pass_mark per cent, in whole numbers so 4 of 5 at 80% is a pass, not a
    rounding accident."""
    return total > 0 and score * 100 >= pass_mark * total


def submit(attempt: LearnerAttempt, content: ModuleContent) -> None:
    """Score from the stored answers and, on a pass, write the one completion.

    Nothing is read back after the commit: the learner is sent to the result page, which
    loads the attempt and its completion itself."""
    if next_unanswered(attempt.questions) is not None and attempt.status == AttemptStatus.IN_PROGRESS.value:
        raise AttemptError("Answer every question before you submit.")
    score = sum(1 for q in attempt.questions if q.is_correct)
    passed = passes(score, attempt.total, content.pass_mark)
    now = utcnow()
    claimed = cast(CursorResult, db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS.value)
        .values(status=AttemptStatus.SUBMITTED.value, submitted_at=now, score=score, passed=passed)
    )).rowcount == 1
    if claimed and passed:
        db.session.add(Completion(
            user_id=attempt.user_id, module_id=attempt.module_id, attempt_id=attempt.id,
            completed_at=now, expires_at=add_months(now, content.validity_months),
            module_version=attempt.module_version, score=round(100 * score / attempt.total),
            source=CompletionSource.ELEARNING.value, certificate_code=certificate_code(),
        ))
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent submit already wrote the completion
        db.session.rollback()


def completion_for(attempt: LearnerAttempt) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.attempt_id == attempt.id))
