"""The practitioner's side of the impact work: confidence in each learning outcome before
the first question and on the result page. Thin views over confidence.py."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.access import signed_in
from learning.content import ModuleContent
from learning.content.catalogue import module_content
from learning.impact import confidence
from learning.impact.forms import field_name, rating_form, ratings_from

__all__ = ["bp", "field_name", "outcome_form", "wants_after_rating", "wants_before_rating"]
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
