from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length


class NewUserForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(), validators=[InputRequired(message="Enter the person's name"), Length(max=200)])
    email = EmailField("Email address", widget=GovTextInput(), validators=[InputRequired(message="Enter an email address")])
    agency = SelectField("Agency", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select an agency")])
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired(message="Select a role")])
    password = PasswordField("Initial password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter an initial password")])
    submit = SubmitField("Create account", widget=GovSubmitInput())
