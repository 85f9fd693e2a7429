from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired

from ..forms import Form

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
