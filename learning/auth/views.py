from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..access import public, signed_in
from ..extensions import db, login_manager
from ..models import User
from .forms import SignInForm
from .redirects import safe_next

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("learner.home"))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == User.normalise_email(form.email.data)))
        if user and user.active and user.check_password(form.password.data):
            # A fresh session at sign-in, so a session id planted before it is worthless.
            session.clear()
            login_user(user)
            return redirect(safe_next(request.args.get("next"), url_for("learner.home")))
        failed = True
        # Shown in the error summary and beside the field, as GOV.UK asks, without saying
        # which of the two was wrong.
        form.email.errors = [*form.email.errors, "Enter a correct email address and password"]
    return render_template("auth/sign_in.html", form=form, failed=failed)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
