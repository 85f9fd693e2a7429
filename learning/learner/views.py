"""The practitioner's side: My learning, a module's learning page, the case and questions,
the result and the review. Views parse the request, call attempts.py and render."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from learning.access import signed_in
from learning.auth.stale_forms import recoverable
from learning.certificates.service import latest_by_module
from learning.content import ModuleContent, Question
from learning.content.catalogue import catalogue, module_content, module_rows
from learning.extensions import db
from learning.impact import practice
from learning.learner import attempts as service
from learning.learner import reflection as reflections
from learning.learner.attempts import DrawnQuestion, LearnerAttempt
from learning.learner.forms import (
    AnswerChoices,
    EmptyForm,
    ReflectionForm,
    answer_form,
    chosen_option_ids,
    kept_choice,
)
from learning.learner.my_learning import learning_summary
from learning.models import Agency, AttemptStatus

bp = Blueprint("learner", __name__)


@bp.route("/")
@signed_in
def home():
    return redirect(url_for("learner.my_learning"))


@bp.route("/my-learning")
@signed_in
def my_learning():
    summary = learning_summary(current_user)
    rows = module_rows()
    latest = latest_by_module(current_user)
    certificates = {slug: latest[row.id] for slug, row in rows.items() if row.id in latest}
    return render_template("learner/my_learning.html", summary=summary, review=catalogue(), certificates=certificates,
                           asks=practice.questions_for(current_user.id))


@bp.route("/modules/<slug>")
@signed_in
def module(slug: str):
    content = module_content(slug)
    row = module_rows()[slug]
    open_attempt = service.open_attempt(current_user, row)
    return render_template("learner/module.html", content=content, open_attempt=open_attempt, form=EmptyForm(),
                           review=catalogue())


@bp.route("/modules/<slug>/start", methods=["POST"])
@signed_in
def start(slug: str):
    content = module_content(slug)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    started = service.start_or_resume(current_user, module_rows()[slug], content)
    if started.next_position is None:
        return redirect(url_for("learner.check", attempt_id=started.attempt_id))
    if started.next_position == 1 and practice.wants_before_rating(started.attempt_id, content):
        return redirect(url_for("practice.before", attempt_id=started.attempt_id))
    return redirect(url_for("learner.question", attempt_id=started.attempt_id, number=started.next_position))


def _own_attempt(attempt_id: int) -> LearnerAttempt:
    """The signed-in person's own attempt, with its drawn questions, else 404 (we do not
    say whose it is)."""
    attempt = service.learner_attempt(attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _content_for(attempt: LearnerAttempt) -> ModuleContent:
    return module_content(attempt.module_slug)


def _question_of(attempt: LearnerAttempt, content: ModuleContent, aq: DrawnQuestion) -> Question:
    """The content of one drawn question. A question missing from the content means the
    module has a new version since this attempt was drawn: the module page starts the
    learner again on the new version (the open attempt is closed unscored)."""
    question = content.question(aq.question_id)
    if question is None:
        abort(redirect(url_for("learner.module", slug=attempt.module_slug)))
    return question


def _where_to_go(attempt: LearnerAttempt) -> str:
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        return url_for("learner.result", attempt_id=attempt.id)
    pending = service.next_unanswered(attempt.questions)
    if pending is None:
        return url_for("learner.check", attempt_id=attempt.id)
    return url_for("learner.question", attempt_id=attempt.id, number=pending.position)


def _open_question(attempt_id: int, number: int):
    """The attempt, the question at `number`, and a redirect to where the learner should be
    instead (the result, the feedback already given, an earlier question), if anywhere."""
    attempt = _own_attempt(attempt_id)
    try:
        aq = service.question_at(attempt.questions, number)
    except service.AttemptError:
        abort(404)
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        return attempt, aq, redirect(url_for("learner.result", attempt_id=attempt_id))
    if aq.answered_at is not None:
        return attempt, aq, redirect(url_for("learner.feedback", attempt_id=attempt_id, number=number))
    pending = service.next_unanswered(attempt.questions)
    if pending is not None and pending.position < number:
        # Questions are taken in order, as the case unfolds.
        return attempt, aq, redirect(url_for("learner.question", attempt_id=attempt_id, number=pending.position))
    return attempt, aq, None


@bp.route("/attempts/<id:attempt_id>/questions/<id:number>", methods=["GET", "POST"])
@signed_in
def question(attempt_id: int, number: int):
    attempt, aq, elsewhere = _open_question(attempt_id, number)
    if elsewhere:
        return elsewhere
    content = _content_for(attempt)
    question = _question_of(attempt, content, aq)
    if request.method == "POST":
        # CSRFProtect (app-wide, learning/__init__.py) has checked the token before the view.
        form = answer_form(question, aq.option_order)
        if form.validate():
            chosen = chosen_option_ids(form.answer.data, aq.option_order)
            try:
                service.answer(attempt, aq, content, chosen)
            except service.AttemptError:
                abort(400)
            return redirect(url_for("learner.feedback", attempt_id=attempt_id, number=number))
        return _question_page(attempt, content, aq, question, form.answer, number, form=form)
    choices = AnswerChoices(question, aq.option_order)
    notice = None
    if kept := kept_choice(choices, request.args.getlist("choice")):
        # Back from signing in again after the session ended: the choice came with the link.
        choices.data = kept
        notice = "We kept the answer you chose before you were signed out. Check it, then select Check my answer."
    return _question_page(attempt, content, aq, question, choices, number, notice=notice)


def _question_page(attempt, content, aq, question, answer, number: int, notice: str | None = None, form=None):
    """`answer` is what the radios or checkboxes show (an AnswerChoices, or the posted form's
    field with its error); `form`, when there is one, gives the layout its error summary."""
    stage = content.stage(question.stage)
    previous = attempt.questions[number - 2] if number > 1 else None
    first_in_stage = previous is None or _question_of(attempt, content, previous).stage != question.stage
    return render_template(
        "learner/question.html", attempt=attempt, content=content, question=question, aq=aq, answer=answer,
        form=form, stage=stage, first_in_stage=first_in_stage, number=number, notice=notice,
    )


def _answer_after_expired_page(attempt_id: int, number: int):
    """The answer POST failed its CSRF check (the page was open too long, or the learner
    signed in again elsewhere). Show the same question with a fresh token and their
    choice still selected, so one click sends it."""
    attempt, aq, elsewhere = _open_question(attempt_id, number)
    if elsewhere:
        return elsewhere
    content = _content_for(attempt)
    question = _question_of(attempt, content, aq)
    choices = AnswerChoices(question, aq.option_order)  # filled from the posted form, never validated
    choices.data = kept_choice(choices, request.form.getlist("answer"))
    return _question_page(attempt, content, aq, question, choices, number,
                          notice="This page had expired, so your answer has not been saved yet. "
                                 "Check it, then select Check my answer.")


def _resume_question(attempt_id: int, number: int) -> str:
    return url_for("learner.question", attempt_id=attempt_id, number=number,
                   choice=request.form.getlist("answer") or None)


recoverable("learner.question", render=_answer_after_expired_page, resume=_resume_question)


@bp.route("/attempts/<id:attempt_id>/questions/<id:number>/feedback")
@signed_in
def feedback(attempt_id: int, number: int):
    attempt = _own_attempt(attempt_id)
    content = _content_for(attempt)
    try:
        aq = service.question_at(attempt.questions, number)
    except service.AttemptError:
        abort(404)
    if aq.answered_at is None:
        return redirect(url_for("learner.question", attempt_id=attempt.id, number=number))
    question = _question_of(attempt, content, aq)
    branch_id = service.consequence_of(question, aq.answer or [])
    branch = content.stage(branch_id) if branch_id else None
    is_last = number == attempt.total
    # The agency is read only for a question that has notes for some sector.
    # The agency's sector is read only for a question that has notes for sectors.
    sector = (db.session.scalar(select(Agency.sector).where(Agency.id == current_user.agency_id))
              if question.sector_notes and current_user.agency_id else None)
    return render_template(
        "learner/feedback.html", attempt=attempt, content=content, question=question, aq=aq, number=number,
        branch=branch, is_last=is_last, form=EmptyForm(), sector_note=question.sector_note(sector),
    )


@bp.route("/attempts/<id:attempt_id>/check")
@signed_in
def check(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        return redirect(url_for("learner.result", attempt_id=attempt.id))
    if service.next_unanswered(attempt.questions) is not None:
        return redirect(_where_to_go(attempt))
    return render_template("learner/check.html", attempt=attempt, content=_content_for(attempt), form=EmptyForm())


@bp.route("/attempts/<id:attempt_id>/submit", methods=["POST"])
@signed_in
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.submit(attempt, _content_for(attempt))
    except service.AttemptError as exc:
        flash(str(exc))
        return redirect(_where_to_go(attempt))
    return redirect(url_for("learner.result", attempt_id=attempt_id))


@bp.route("/attempts/<id:attempt_id>/result")
@signed_in
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS.value:
        return redirect(_where_to_go(attempt))
    completion = service.completion_for(attempt)
    reflection = ReflectionForm(data={"reflection": completion.reflection, "shared": completion.reflection_shared}
                                if completion else None)
    return _result_page(attempt, completion, reflection)


def _result_page(attempt: LearnerAttempt, completion, reflection: ReflectionForm, confidence_form=None):
    content = _content_for(attempt)
    if confidence_form is None and practice.wants_after_rating(attempt.id, content):
        confidence_form = practice.outcome_form(content)
    return render_template("learner/result.html", attempt=attempt, content=content,
                           completion=completion, form=EmptyForm(), reflection=reflection,
                           confidence_form=confidence_form, field_name=practice.field_name)


def result_page(attempt: LearnerAttempt, confidence_form):
    """The result page again, showing what was wrong with the confidence ratings sent."""
    completion = service.completion_for(attempt)
    reflection = ReflectionForm(data={"reflection": completion.reflection, "shared": completion.reflection_shared}
                                if completion else None)
    return _result_page(attempt, completion, reflection, confidence_form)


@bp.route("/attempts/<id:attempt_id>/reflection", methods=["POST"])
@signed_in
def reflect(attempt_id: int):
    """Save "What will you do differently?" with the completion this attempt earned."""
    attempt = _own_attempt(attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS.value:
        return redirect(_where_to_go(attempt))
    completion = service.completion_for(attempt)
    if completion is None:  # not passed: there is nothing to reflect on the record with
        return redirect(url_for("learner.result", attempt_id=attempt.id))
    form = ReflectionForm()
    if not form.validate():
        return _result_page(attempt, completion, form)
    reflections.save(completion, form.reflection.data, bool(form.shared.data))
    flash("Your reflection has been saved.", "success")
    return redirect(url_for("learner.result", attempt_id=attempt.id))


@bp.route("/attempts/<id:attempt_id>/review")
@signed_in
def review(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS.value:
        return redirect(_where_to_go(attempt))
    content = _content_for(attempt)
    return render_template("learner/review.html", attempt=attempt, content=content,
                           path=service.path_taken(attempt.id))
