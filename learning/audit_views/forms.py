from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError


class DayMonthYearField(DateField):
    """A date typed as day, month and year boxes (GOV.UK date input), optional.

    GovDateInput needs exactly three raw values to redraw the boxes, so anything else
    a hand-made link sends is squared up to three, and a partly filled date is an error."""

    def __init__(self, label, **kwargs):
        super().__init__(label, widget=GovDateInput(), format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        if not any(v.strip() for v in valuelist):
            self.raw_data, self.data = None, None
            return
        self.raw_data = [*valuelist, "", "", ""][:3]
        if not all(v.strip() for v in self.raw_data) or len(valuelist) != 3:
            self.data = None
            raise ValueError("Enter a day, month and year, or leave the date empty")
        super().process_formdata(self.raw_data)


class AuditSearchForm(FlaskForm):
    """A GET search form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", widget=GovSelect(), validators=[Optional()])
    person = StringField("Person", widget=GovTextInput(), validators=[Optional(), Length(max=320)],
                         description="All or part of an email address: who acted, or whom it was about")
    start = DayMonthYearField("From", description="For example, 27 3 2026")
    end = DayMonthYearField("To")
    submit = SubmitField("Search", widget=GovSubmitInput())

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The 'To' date must be the same as or after the 'From' date")
