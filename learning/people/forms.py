from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NoneOf, Optional

from learning.fields import GovRadioField, GovSelectField
from learning.forms import Form
from learning.models import Sector


class NewUserForm(Form):
    name = StringField("Full name", widget=GovTextInput(), validators=[InputRequired(message="Enter the person's name"), Length(max=200)])
    email = EmailField("Email address", widget=GovTextInput(), validators=[InputRequired(message="Enter an email address")])
    # The list starts with a "Select an agency" placeholder (0), so nobody files a person
    # under the alphabetically first agency by not looking.
    agency = GovSelectField("Agency", invalid="Select an agency from the list", widget=GovSelect(), coerce=int, default=0,
                         validators=[InputRequired(message="Select an agency"), NoneOf([0], message="Select an agency")])
    role = GovRadioField("Role", invalid="Select a role from the list", widget=GovRadioInput(), validators=[InputRequired(message="Select a role")])
    # Left empty (the usual case), the person is emailed an invitation to choose their own.
    password = PasswordField("Initial password (optional)", widget=GovPasswordInput(), validators=[Optional()])
    submit = SubmitField("Create account", widget=GovSubmitInput())


class PeopleFilterForm(Form):
    """The filters above the People list: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("Name or email contains", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    agency = GovSelectField("Agency", invalid="Select an agency from the list", widget=GovSelect(), coerce=int, validate_choice=False, default=0)
    status = GovSelectField("Accounts", invalid="Select which accounts to show", widget=GovSelect(), default="active",
                         choices=[("active", "Active"), ("deactivated", "Deactivated"), ("all", "All")])
    submit = SubmitField("Filter", widget=GovSubmitInput())


class EditUserForm(Form):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the person's name"),
                                   Length(max=200, message="Name must be 200 characters or fewer")])
    job_title = StringField("Job title (optional)", widget=GovTextInput(),
                            validators=[Optional(), Length(max=200, message="Job title must be 200 characters or fewer")])
    team = GovSelectField("Team", invalid="Select a team from the list", widget=GovSelect(), coerce=int)
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class RoleForm(Form):
    role = GovRadioField("Role", invalid="Select a role from the list", widget=GovRadioInput(), validators=[InputRequired(message="Select a role")])
    submit = SubmitField("Change role", widget=GovSubmitInput())


class ConfirmForm(Form):
    """A button that POSTs, with the CSRF token: deactivate, reactivate, import."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class AgencyForm(Form):
    name = StringField("Agency name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the agency's name"),
                                   Length(max=200, message="Agency name must be 200 characters or fewer")])
    sector = GovRadioField("Sector", invalid="Select the agency's sector", widget=GovRadioInput(), choices=[(s.value, s.label) for s in Sector],
                        validators=[InputRequired(message="Select the agency's sector")])
    submit = SubmitField("Save agency", widget=GovSubmitInput())


class EditAgencyForm(AgencyForm):
    active = GovRadioField("Is the agency active?", invalid="Select whether the agency is active", widget=GovRadioInput(),
                        choices=[("yes", "Active"), ("no", "Inactive: no new accounts or imports; its staff and their history are kept")],
                        validators=[InputRequired(message="Select whether the agency is active")])


class TeamForm(Form):
    name = StringField("Team name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the team's name"),
                                   Length(max=200, message="Team name must be 200 characters or fewer")])
    submit = SubmitField("Save team", widget=GovSubmitInput())


class ImportForm(Form):
    file = FileField("Upload a file", widget=GovFileInput(),
                     validators=[FileRequired(message="Select an Excel (.xlsx) or CSV (.csv) file")])
    agency = GovSelectField("Agency for rows with no agency", invalid="Select an agency from the list", widget=GovSelect(), coerce=int, default=0)
    submit = SubmitField("Upload and check", widget=GovSubmitInput())
