from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from learning.date_range import EndNotBeforeStart
from learning.fields import GovDateField, GovSelectField
from learning.forms import Form


class AuditSearchForm(EndNotBeforeStart, Form):
    """A GET search form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    action = GovSelectField("What happened", invalid="Select what happened from the list", widget=GovSelect(), validators=[Optional()])
    person = StringField("Person", widget=GovTextInput(), validators=[Optional(), Length(max=320)],
                         description="All or part of an email address: who acted, or whom it was about")
    start = GovDateField("From", called="The 'From' date", description="For example, 27 3 2026")
    end = GovDateField("To", called="The 'To' date")
    submit = SubmitField("Search", widget=GovSubmitInput())


class AuditDownloadForm(EndNotBeforeStart, Form):
    """The dates of the audit trail to download (GET: a download changes nothing)."""

    class Meta:
        csrf = False

    start = GovDateField("From", called="The 'From' date", description="For example, 1 4 2026",
                         validators=[InputRequired(message="Enter the 'From' date")])
    end = GovDateField("To", called="The 'To' date", description="For example, 30 4 2026",
                       validators=[InputRequired(message="Enter the 'To' date")])
    submit = SubmitField("Download workbook", widget=GovSubmitInput())
