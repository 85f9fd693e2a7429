from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from learning import audit
from learning.access import public, signed_in
from learning.audit import record
from learning.auth import second_step, sessions, two_factor
from learning.auth.forms import CodeForm, ForgottenPasswordForm, SetPasswordForm, SignInForm, chosen_password
from learning.auth.redirects import safe_next
from learning.auth.signed_in import SignedIn
from learning.auth.signed_in import load as signed_in_person
from learning.auth.signin import authenticate
from learning.auth.stale_forms import recoverable
from learning.auth.throttle import failure_limits, note_failure, request_limits, sign_in_limits
from learning.extensions import db, login_manager
from learning.fields import present
from learning.people.accounts import request_password_reset, set_new_password
from learning.people.invitations import PASSWORD_RESET, LinkProblem, user_for, user_for_token

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
# Flask-Login's "basic" protection hashes the address and browser of every request and,
# when they change, only marks the session as not fresh: this app asks for a fresh sign-in
# nowhere, so it would cost a hash per request (and a hash in every cookie) for nothing.
# Sessions end by time and at sign-out everywhere instead (learning/auth/sessions.py).
login_manager.session_protection = None


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
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
        email = present(form.email.data)
        outcome = authenticate(email, present(form.password.data))
        if outcome.ok and outcome.user is not None:
            destination = safe_next(request.args.get("next"), url_for("learner.home"))
            if two_factor.enrolled(outcome.user):
                second_step.begin(outcome.user, destination)
                return redirect(url_for("auth.sign_in_code"))
            sessions.begin(outcome.user)
            audit.record(audit.SIGN_IN, actor=outcome.user)
            if two_factor.required_for(outcome.user.role):
                second_step.require_enrolment()
                return redirect(url_for("account.two_factor"))
            return redirect(destination)
        note_failure()
        audit.record(audit.SIGN_IN_FAILED, {"email": email.strip().lower()[:audit.EMAIL_MAX],
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


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@failure_limits(second_step.account_key)
def sign_in_code():
    """The second step for anyone with two-factor sign-in: a code from their app, or one of
    their recovery codes. Wrong codes count towards the same limit as wrong passwords."""
    user = second_step.pending_user()
    if user is None:
        flash("Sign in again: the page to enter your code had expired.")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        code = present(form.code.data)
        now = sessions.clock()
        how = None
        if two_factor.looks_like_totp(code):
            how = "authenticator app" if two_factor.accept_totp(user, code, now) else None
        elif two_factor.use_recovery_code(user, code):
            how = "recovery code"
        if how:
            destination = second_step.destination()
            audit.record(audit.SIGN_IN, {"second_factor": how}, actor=user, commit=False)
            db.session.commit()
            sessions.begin(user)
            if how == "recovery code":
                flash(f"You signed in with a recovery code. You have {two_factor.recovery_codes_left(user)} left: "
                      "if your phone is lost, set up two-factor sign-in again on your account page.")
            return redirect(destination)
        db.session.rollback()
        note_failure()
        audit.record(audit.SIGN_IN_FAILED, {"email": user.email, "reason": "wrong code"})
        form.code.errors = [*form.code.errors, "The code is not right. Enter the newest 6-digit code from your "
                                               "authenticator app, or a recovery code"]
    return _no_store(render_template("auth/sign_in_code.html", form=form))


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
    if user is None or problem is not None:  # the link is not for an account that may use it
        problem = problem or LinkProblem.INVALID
        status = 404 if problem is LinkProblem.INVALID else 410
        return _no_store(render_template("auth/set_password_problem.html", problem=problem.value), status)
    form = SetPasswordForm()
    if form.validate_on_submit() and (password := chosen_password(form, user.name, user.email)):
        user.set_password(password)
        record("password_set", {"user_id": user.id, "how": "invitation link"}, actor=user, commit=False)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash("Your password is set. Sign in with your email address and new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return _no_store(render_template("auth/set_password.html", form=form, user=user))


@bp.route("/password/forgotten", methods=["GET", "POST"])
@public
@request_limits
def forgotten_password():
    """Ask for a reset link. Every address gets the same page, at the same speed, whether
    or not it has an account (see accounts.request_password_reset)."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = present(form.email.data)
        request_password_reset(email)
        return _no_store(render_template("auth/forgotten_password_sent.html", email=email.strip()))
    return render_template("auth/forgotten_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """The link from the forgotten-password email: works once, for an hour, and only the
    newest one sent. Setting the password ends every session the person has."""
    user, problem = user_for(token, PASSWORD_RESET)
    if user is None or problem is not None:
        return _no_store(render_template("auth/reset_link_problem.html"), 410)
    form = SetPasswordForm()
    if form.validate_on_submit() and (password := chosen_password(form, user.name, user.email)):
        set_new_password(user, password, how="reset link")
        sessions.end()
        flash("Your password is changed. Sign in with your email address and new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return _no_store(render_template("auth/reset_password.html", form=form, user=user))


def _no_store(response, status: int = 200):
    response = make_response(response, status)
    response.headers["Cache-Control"] = "no-store"
    return response
