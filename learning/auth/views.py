from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from .. import audit, sessions
from ..access import public, signed_in
from ..audit import record
from ..expiry import recoverable
from ..extensions import db, login_manager
from ..invitations import LinkProblem, user_for_token
from ..models import User
from ..passwords import password_problem
from ..throttle import note_failure, sign_in_limits
from .forms import SetPasswordForm, SignInForm
from .redirects import safe_next
from .signed_in import load as signed_in_person
from .signin import authenticate

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
# Flask-Login's "basic" protection hashes the address and browser of every request and,
# when they change, only marks the session as not fresh: this app asks for a fresh sign-in
# nowhere, so it would cost a hash per request (and a hash in every cookie) for nothing.
# Sessions end by time and at sign-out everywhere instead (learning/sessions.py).
login_manager.session_protection = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return signed_in_person(user_id)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@sign_in_limits
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("learner.home"))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        outcome = authenticate(form.email.data, form.password.data)
        if outcome.ok:
            sessions.begin(outcome.user)
            audit.record(audit.SIGN_IN, actor=outcome.user)
            return redirect(safe_next(request.args.get("next"), url_for("learner.home")))
        note_failure()
        audit.record(audit.SIGN_IN_FAILED, {"email": form.email.data.strip().lower()[:audit.EMAIL_MAX],
                                            "reason": outcome.reason})
        failed = True
        # Shown in the error summary and beside the field, as GOV.UK asks, without saying
        # which of the two was wrong.
        form.email.errors = [*form.email.errors, "Enter a correct email address and password"]
    return render_template("auth/sign_in.html", form=form, failed=failed)


def _sign_in_after_expired_page():
    """The sign-in form sat open until its CSRF token expired: ask again, email kept."""
    form = SignInForm()
    return render_template("auth/sign_in.html", form=form, failed=False,
                           notice="The sign-in page had expired. Enter your password again.")


recoverable("auth.sign_in", render=_sign_in_after_expired_page,
            resume=lambda: url_for("auth.sign_in", next=request.args.get("next")))


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    audit.record(audit.SIGN_OUT, {"reason": "signed out"})
    sessions.end(everywhere=True)
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """The invitation link: a new account chooses its first password. The link works once
    (setting the password changes what the token was signed against) and for 7 days."""
    user, problem = user_for_token(token)
    if problem is not None:
        status = 404 if problem is LinkProblem.INVALID else 410
        return _no_store(render_template("auth/set_password_problem.html", problem=problem.value), status)
    form = SetPasswordForm()
    if form.validate_on_submit():
        if problem_text := password_problem(form.password.data):
            form.password.errors.append(problem_text)
        elif form.confirm.data != form.password.data:
            form.confirm.errors.append("The passwords do not match")
        else:
            user.set_password(form.password.data)
            record("password_set", {"user_id": user.id, "how": "invitation link"}, actor=user, commit=False)
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Your password is set. Sign in with your email address and new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return _no_store(render_template("auth/set_password.html", form=form, user=user))


def _no_store(response, status: int = 200):
    response = make_response(response, status)
    response.headers["Cache-Control"] = "no-store"
    return response
