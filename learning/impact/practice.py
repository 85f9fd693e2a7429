"""The practitioner's side of the impact work: confidence in each learning outcome before
the first question and on the result page, the follow-up months later and the course
evaluation. Thin views over confidence.py, follow_up.py and evaluation.py."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.access import signed_in
from learning.content import ModuleContent
from learning.content.catalogue import module_content
from learning.extensions import db
from learning.impact import confidence
from learning.impact import evaluation as evaluations
from learning.impact import follow_up as follow_ups
from learning.impact.forms import FollowUpForm, evaluation_form, field_name, rating_form, ratings_from
from learning.impact.models import Used
from learning.models import Booking, Module

__all__ = ["bp", "field_name", "outcome_form", "questions_for", "wants_after_rating", "wants_before_rating"]
from learning.impact.models import Moment
from learning.learner import attempts
from learning.learner.attempts import LearnerAttempt
from learning.models import AttemptStatus

bp = Blueprint("practice", __name__)


def _own_attempt(attempt_id: int) -> tuple[LearnerAttempt, ModuleContent]:
    attempt = attempts.learner_attempt(attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt, module_content(attempt.module_slug)


def questions_for(user_id: int) -> list[tuple[str, str]]:
    """What My learning lists under "Tell us how your learning went": (link, text)."""
    asks = [(url_for("practice.follow_up", token=follow_ups.token_for(f)),
             f"Have you used {title} in your practice?") for f, title in follow_ups.open_for(user_id)]
    asks += [(url_for("practice.evaluation", booking_id=booking_id),
              f"Evaluate {title} ({starts:%-d %B %Y})") for booking_id, title, starts in evaluations.open_for(user_id)]
    return asks


def module_title(module_id: int) -> str:
    return db.session.get_one(Module, module_id).title


def outcome_form(content: ModuleContent):
    recs = tuple(o.recommendation for o in content.outcomes)
    return rating_form(tuple(field_name(rec) for rec in recs))()


def _first_question(attempt: LearnerAttempt) -> str:
    pending = attempts.next_unanswered(attempt.questions)
    if pending is None:
        return url_for("learner.check", attempt_id=attempt.id)
    return url_for("learner.question", attempt_id=attempt.id, number=pending.position)


def wants_before_rating(attempt_id: int, content: ModuleContent) -> bool:
    """Whether the start of this attempt should ask for confidence first."""
    return bool(content.outcomes) and not confidence.rated(Moment.BEFORE, attempt_id=attempt_id)


def wants_after_rating(attempt_id: int, content: ModuleContent) -> bool:
    return bool(content.outcomes) and not confidence.rated(Moment.AFTER, attempt_id=attempt_id)


@bp.route("/attempts/<id:attempt_id>/confidence", methods=["GET", "POST"])
@signed_in
def before(attempt_id: int):
    attempt, content = _own_attempt(attempt_id)
    answered = any(q.answered_at is not None for q in attempt.questions)
    if (attempt.status != AttemptStatus.IN_PROGRESS.value or answered
            or not wants_before_rating(attempt.id, content)):
        return redirect(_first_question(attempt))
    form = outcome_form(content)
    if request.method == "POST":
        if "skip" in request.form:
            return redirect(_first_question(attempt))
        if form.validate():
            _save(attempt, content, Moment.BEFORE, form)
            return redirect(_first_question(attempt))
    return render_template("impact/confidence_before.html", attempt=attempt, content=content, form=form,
                           field_name=field_name)


def _save(attempt: LearnerAttempt, content: ModuleContent, moment: Moment, form) -> None:
    recs = tuple(o.recommendation for o in content.outcomes)
    try:
        confidence.save(attempt.user_id, moment, ratings_from(form, recs), recs, attempt_id=attempt.id)
    except confidence.RatingError:
        abort(400)


@bp.route("/attempts/<id:attempt_id>/confidence/after", methods=["POST"])
@signed_in
def after(attempt_id: int):
    attempt, content = _own_attempt(attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS.value:
        return redirect(_first_question(attempt))
    if "skip" in request.form:
        return redirect(url_for("learner.my_learning"))
    form = outcome_form(content)
    if not form.validate():
        from learning.learner.views import result_page
        return result_page(attempt, confidence_form=form)
    _save(attempt, content, Moment.AFTER, form)
    flash("Thank you. Your confidence ratings have been saved.", "success")
    return redirect(url_for("learner.result", attempt_id=attempt.id))


@bp.route("/follow-ups/<token>", methods=["GET", "POST"])
@signed_in
def follow_up(token: str):
    """The follow-up, from its emailed link or My learning: for its person only, once."""
    asked = follow_ups.from_token(token, current_user.id)
    if asked is None:
        abort(404)
    title = module_title(asked.completion.module_id)
    if asked.answered_at is not None:
        return render_template("impact/answered.html", title=title, what="this follow-up")
    form = FollowUpForm()
    if form.validate_on_submit():
        given = follow_ups.Answer(Used(form.used.data), form.example.data, form.barriers.data, bool(form.shared.data))
        follow_ups.answer(asked, given)
        flash("Thank you. Your answer has been saved.", "success")
        return redirect(url_for("learner.my_learning"))
    return render_template("impact/follow_up.html", form=form, title=title, asked=asked)


@bp.route("/bookings/<id:booking_id>/evaluation", methods=["GET", "POST"])
@signed_in
def evaluation(booking_id: int):
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id or not evaluations.attended(booking):
        abort(404)
    course = booking.session.course
    if evaluations.submitted(booking.id):
        return render_template("impact/answered.html", title=course.title, what="this evaluation")
    outcomes = evaluations.outcomes_of(course)
    recs = tuple(rec for rec, _text in outcomes)
    form = evaluation_form(recs)()
    if form.validate_on_submit():
        given = evaluations.Evaluation(
            usefulness=int(form["usefulness"].data), before=ratings_from(form, recs, "before"),
            after=ratings_from(form, recs, "after"), differently=form["differently"].data,
            comments=form["comments"].data, shared=bool(form["shared"].data))
        try:
            evaluations.submit(booking, given)
        except confidence.RatingError:
            abort(400)
        flash("Thank you. Your evaluation has been saved.", "success")
        return redirect(url_for("learner.my_learning"))
    return render_template("impact/evaluation.html", form=form, booking=booking, course=course,
                           outcomes=outcomes, field_name=field_name)
