from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from learning.auth.passwords import password_problem
from learning.fields import present
from learning.forms import Form


class SignInForm(Form):
    email = EmailField("Email address", widget=GovTextInput(),
                      validators=[InputRequired(message="Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SetPasswordForm(Form):
    password = PasswordField("New password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter a password")])
    confirm = PasswordField("Confirm new password", widget=GovPasswordInput(),
                            validators=[InputRequired(message="Enter the password again")])
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ForgottenPasswordForm(Form):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter your email address"),
                                   Length(max=320, message="Email address must be 320 characters or fewer")])
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class CodeForm(Form):
    """The second sign-in step: a code from the app, or a recovery code."""
    code = StringField("Security code", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the 6-digit code from your authenticator app"),
                                   Length(max=40, message="Enter the 6-digit code from your authenticator app")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ChangePasswordForm(Form):
    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[InputRequired(message="Enter your current password")])
    password = PasswordField("New password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter a new password")])
    confirm = PasswordField("Confirm new password", widget=GovPasswordInput(),
                            validators=[InputRequired(message="Enter the new password again")])
    submit = SubmitField("Change password", widget=GovSubmitInput())


class TwoFactorSetupForm(Form):
    code = StringField("Code from the app", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the 6-digit code from your authenticator app"),
                                   Length(max=40, message="Enter the 6-digit code from your authenticator app")])
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class TwoFactorManageForm(Form):
    """Changing two-factor sign-in once it is on asks for a code from the app first."""
    code = StringField("Code from the app", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the 6-digit code from your authenticator app"),
                                   Length(max=40, message="Enter the 6-digit code from your authenticator app")])
    new_codes = SubmitField("Make new recovery codes", widget=GovSubmitInput())
    turn_off = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())


class ButtonForm(Form):
    """A button that POSTs, with the CSRF token."""


def chosen_password(form: SetPasswordForm | ChangePasswordForm, name: str, email: str) -> str | None:
    """The new password in a validated form when it meets the policy for the person (their
    name and email) and both boxes match; otherwise None, with the field's error set."""
    password = present(form.password.data)
    if problem := password_problem(password, name=name, email=email):
        form.password.errors = [*form.password.errors, problem]
    elif form.confirm.data != password:
        form.confirm.errors = [*form.confirm.errors, "The passwords do not match"]
    else:
        return password
    return None
