"""Taking a module: draw, answer, submit. All scoring happens here, on the server.

Each step is safe to repeat: starting twice resumes the open attempt, answering a question
twice keeps the first answer, submitting twice writes one completion. The guards are
conditional UPDATEs and unique constraints, so they hold across workers and databases.
"""
from __future__ import annotations

import base64
import random
import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .content import ModuleContent, Question
from .extensions import db
from .models import Attempt, AttemptQuestion, AttemptStatus, Completion, CompletionSource, Module, User, utcnow
from .status import add_months


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


def start_or_resume(user: User, module: Module, content: ModuleContent,
                    rng: random.Random | None = None) -> Attempt:
    existing = open_attempt(user, module)
    if existing and existing.module_version == content.version:
        return existing
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
    for position, question in enumerate(questions, 1):
        order = [o.id for o in question.options]
        if question.kind.shuffle:
            rng.shuffle(order)
        attempt.questions.append(AttemptQuestion(position=position, question_id=question.id, option_order=order))
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone (a double click, another tab) started it a moment ago: use theirs.
        db.session.rollback()
        attempt = open_attempt(user, module)
        if attempt is None:
            raise
    return attempt


def next_unanswered(attempt: Attempt) -> AttemptQuestion | None:
    return next((q for q in attempt.questions if q.answered_at is None), None)


def question_at(attempt: Attempt, position: int) -> AttemptQuestion:
    for aq in attempt.questions:
        if aq.position == position:
            return aq
    raise AttemptError("That question is not part of this attempt.")


def answer(attempt: Attempt, content: ModuleContent, position: int, chosen: list[str]) -> AttemptQuestion:
    """Record the first answer to a question. A repeat (double click, back button) is ignored."""
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        raise AttemptError("This attempt has already been submitted.")
    aq = question_at(attempt, position)
    if aq.answered_at is not None:
        return aq
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
    result = db.session.execute(
        update(AttemptQuestion)
        .where(AttemptQuestion.id == aq.id, AttemptQuestion.answered_at.is_(None))
        .values(answer=ordered, is_correct=correct, answered_at=utcnow())
    )
    if result.rowcount == 1:
        branch = consequence_of(question, ordered)
        if branch and branch not in attempt.path:
            # The path records the consequence stage right after the stage it came from.
            path = list(attempt.path)
            path.insert(path.index(question.stage) + 1, branch)
            attempt.path = path
    db.session.commit()
    # No refresh: the caller redirects to the feedback page, which reads the answer anew,
    # and anything that does read `aq` reloads it then (the commit expired it).
    return aq


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


def submit(attempt: Attempt, content: ModuleContent) -> None:
    """Score from the stored answers and, on a pass, write the one completion.

    Nothing is read back after the commit: the learner is sent to the result page, which
    loads the attempt and its completion itself."""
    if next_unanswered(attempt) is not None and attempt.status == AttemptStatus.IN_PROGRESS.value:
        raise AttemptError("Answer every question before you submit.")
    score = sum(1 for q in attempt.questions if q.is_correct)
    passed = passes(score, attempt.total, content.pass_mark)
    now = utcnow()
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS.value)
        .values(status=AttemptStatus.SUBMITTED.value, submitted_at=now, score=score, passed=passed)
    ).rowcount == 1
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


def completion_for(attempt: Attempt) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.attempt_id == attempt.id))
