from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from learning.compliance.scheduled import FREQUENCIES
from learning.compliance.status import Status
from learning.date_range import EndNotBeforeStart
from learning.fields import GovDateField, GovRadioField, GovSelectField
from learning.forms import Form

COMPLIANT = "compliant"  # the status filter's value for people compliant with all their required learning


class StaffFilterForm(Form):
    """Filters are read from the query string, so a filtered list is a link people can share."""

    class Meta:
        csrf = False  # GET: changes nothing

    team = GovSelectField("Team", invalid="Select a team from the list", widget=GovSelect(), coerce=int, validators=[Optional()])
    module = GovSelectField("Module", invalid="Select a module from the list", widget=GovSelect(), coerce=int, validators=[Optional()])
    status = GovSelectField("Status", invalid="Select a status from the list", widget=GovSelect(), validators=[Optional()],
                         choices=[("", "Any status"), (COMPLIANT, "Compliant with all required learning")]
                         + [(s.value, s.label) for s in Status])
    q = StringField("Name contains", widget=GovTextInput(), validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class CompletionsExportForm(EndNotBeforeStart, Form):
    class Meta:
        csrf = False

    module = GovSelectField("Module", invalid="Select a module from the list", widget=GovSelect(), validators=[InputRequired(message="Select a module")])
    # The view limits agencies to the viewer's scope, so an unlisted id is simply ignored.
    agency = GovSelectField("Agency", invalid="Select an agency from the list", widget=GovSelect(), coerce=int, default=0, validate_choice=False,
                         validators=[Optional()])
    # GOV.UK date input: three boxes (day, month, year) submitted under one name.
    start = GovDateField("From", called="Start date")
    end = GovDateField("To", called="End date")
    submit = SubmitField("Download workbook", widget=GovSubmitInput())


class ScheduledReportForm(Form):
    """Subscribe addresses to the compliance workbook (learning/compliance/scheduled.py). The
    view sets the agency choices to the viewer's scope."""

    agency = GovSelectField("Which figures", invalid="Select the figures from the list", widget=GovSelect(), coerce=int,
                            validators=[Optional()])
    frequency = GovRadioField("How often", invalid="Select how often the workbook is sent", widget=GovRadioInput(),
                              choices=list(FREQUENCIES.items()),
                              validators=[InputRequired(message="Select how often the workbook is sent")])
    recipients = TextAreaField("Email addresses", widget=GovTextArea(),
                               validators=[InputRequired(message="Enter at least one email address"),
                                           Length(max=4000, message="Enter 4,000 characters or fewer")])
    submit = SubmitField("Subscribe", widget=GovSubmitInput())


class ButtonForm(Form):
    """A button that POSTs, with the CSRF token (unsubscribe)."""


class InsightFilterForm(Form):
    """The filters of "Questions staff get wrong", read from the query string."""

    class Meta:
        csrf = False  # GET: changes nothing

    module = GovSelectField("Module", invalid="Select a module from the list", widget=GovSelect(), validators=[Optional()])
    # Coordinators only: a lead's figures are always their own agency's.
    agency = GovSelectField("Agency", invalid="Select an agency from the list", widget=GovSelect(), coerce=int,
                            default=0, validators=[Optional()])
    sort = GovSelectField("Sort by", invalid="Select an order from the list", widget=GovSelect(),
                          validators=[Optional()], default="wrong")
    submit = SubmitField("Show questions", widget=GovSubmitInput())
