"""Your account: your details, changing your password, two-factor sign-in, and signing out
everywhere. Every page is about the signed-in person only, so none takes an id."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user

from learning import audit
from learning.access import signed_in
from learning.auth import second_step, sessions, two_factor
from learning.auth.forms import ButtonForm, ChangePasswordForm, TwoFactorManageForm, TwoFactorSetupForm, chosen_password
from learning.auth.throttle import account_key_for, failure_limits, note_failure
from learning.extensions import db
from learning.fields import present
from learning.models import User
from learning.people.accounts import set_new_password

bp = Blueprint("account", __name__, url_prefix="/account")
bp.before_app_request(second_step._enrol_first)

SETUP_SECRET = "two_factor_setup_secret"
TWO_FACTOR_ON = "two_factor_enabled"
TWO_FACTOR_OFF = "two_factor_disabled"
RECOVERY_CODES_REPLACED = "recovery_codes_replaced"


def _me() -> User:
    return db.get_or_404(User, current_user.id)


def _signed_in_key() -> str:
    return account_key_for(current_user.email if current_user.is_authenticated else "")


def _no_store(html: str, status: int = 200):
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("")
@signed_in
def home():
    me = _me()
    return render_template("account/home.html", me=me, enrolled=two_factor.enrolled(me),
                           required=two_factor.required_for(me.role), form=ButtonForm())


@bp.route("/password", methods=["GET", "POST"])
@signed_in
@failure_limits(_signed_in_key)
def change_password():
    """The current password, then a new one under the usual rules. Every other session of
    the person ends; this one carries on. They are emailed, in case it was not them."""
    me = _me()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not me.check_password(form.current.data or ""):
            note_failure()
            audit.record(audit.SIGN_IN_FAILED, {"email": me.email, "reason": "wrong current password"})
            form.current.errors = [*form.current.errors, "Your current password is not right"]
        elif password := chosen_password(form, me.name, me.email):
            set_new_password(me, password, how="changed when signed in")
            sessions.keep_this_session(me)
            flash("Your password is changed. You are signed out on every other device.", "success")
            return redirect(url_for("account.home"))
    return render_template("account/password.html", form=form)


@bp.route("/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("account.home"))
    audit.record(audit.SIGN_OUT, {"reason": "signed out everywhere"})
    sessions.end(everywhere=True)
    flash("You have signed out on every device, this one included.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@signed_in
@failure_limits(_signed_in_key)
def two_factor_page():
    """Set-up, or once on, its management. The one page someone whose role needs it can
    reach before setting it up (second_step)."""
    me = _me()
    if two_factor.enrolled(me):
        return _manage(me)
    return _set_up(me)


def _set_up(me: User):
    """A new secret, kept in the session (nothing is written until a code confirms the app
    has it), shown as a QR code and as text."""
    secret = session.get(SETUP_SECRET) or two_factor.new_secret()
    session[SETUP_SECRET] = secret
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        step = two_factor.matching_step(secret, present(form.code.data), sessions.clock())
        if step is not None:
            codes = two_factor.enrol(me, secret, step)
            audit.record(TWO_FACTOR_ON, {"user_id": me.id}, commit=False)
            db.session.commit()
            session.pop(SETUP_SECRET, None)
            second_step.enrolled()
            return _no_store(render_template("account/recovery_codes.html", codes=codes, new=True))
        note_failure()
        form.code.errors = [*form.code.errors, "The code is not right. Check the app shows this service, and enter its newest code"]
    uri = two_factor.provisioning_uri(secret, me.email)
    return _no_store(render_template("account/two_factor_set_up.html", form=form, qr=two_factor.qr_svg(uri),
                                     secret=two_factor.grouped(secret),
                                     required=two_factor.required_for(me.role)))


def _manage(me: User):
    """On already: new recovery codes, or (where the role does not need it) turn it off,
    each only with a right code from the app."""
    required = two_factor.required_for(me.role)
    form = TwoFactorManageForm()
    if required:
        del form.turn_off
    if form.validate_on_submit():
        if two_factor.accept_totp(me, present(form.code.data), sessions.clock()):
            if not required and form.turn_off.data:
                two_factor.turn_off(me)
                audit.record(TWO_FACTOR_OFF, {"user_id": me.id, "by": "themselves"}, commit=False)
                db.session.commit()
                flash("Two-factor sign-in is off.", "success")
                return redirect(url_for("account.home"))
            codes = two_factor.new_recovery_codes(me)
            audit.record(RECOVERY_CODES_REPLACED, {"user_id": me.id}, commit=False)
            db.session.commit()
            return _no_store(render_template("account/recovery_codes.html", codes=codes, new=False))
        db.session.rollback()
        note_failure()
        form.code.errors = [*form.code.errors, "The code is not right. Enter the newest 6-digit code from your authenticator app"]
    return render_template("account/two_factor_manage.html", form=form, required=required,
                           left=two_factor.recovery_codes_left(me))
