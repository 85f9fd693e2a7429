from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from learning.fields import GovDateField, GovSelectField
from learning.forms import Form


class AuditSearchForm(Form):
    """A GET search form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    action = GovSelectField("Action", invalid="Select an action from the list", widget=GovSelect(), validators=[Optional()])
    person = StringField("Person", widget=GovTextInput(), validators=[Optional(), Length(max=320)],
                         description="All or part of an email address: who acted, or whom it was about")
    start = GovDateField("From", called="The 'From' date", description="For example, 27 3 2026")
    end = GovDateField("To", called="The 'To' date")
    submit = SubmitField("Search", widget=GovSubmitInput())

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The 'To' date must be the same as or after the 'From' date")
