from flask_wtf.file import FileAllowed, FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from learning.date_range import EndNotBeforeStart
from learning.fields import GovCheckboxesField, GovDateField, GovIntegerField, GovRadioField, GovSelectField
from learning.forms import Form

TIME = Regexp(r"^([01]?\d|2[0-3])[:.][0-5]\d$", message="Enter a time in the 24-hour clock, like 09:30")


class CourseForm(Form):
    title = StringField("Course title", widget=GovTextInput(), validators=[InputRequired(message="Enter a course title"), Length(max=200)])
    description = TextAreaField("Description", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    modules = GovCheckboxesField("Modules it counts for", invalid="Select the modules the course counts for from the list",
                                 widget=GovCheckboxesInput(), coerce=int,
                                  validators=[InputRequired(message="Select at least one module the course counts for")])
    validity_months = GovIntegerField("Valid for (months)", widget=GovTextInput(), default=24,
                                      invalid="Enter how many months the course is valid for as a whole number, like 24",
                                   validators=[InputRequired(message="Enter how many months the course is valid for"),
                                               NumberRange(min=1, max=120, message="Enter a number of months from 1 to 120")])
    submit = SubmitField("Save course", widget=GovSubmitInput())


class SessionForm(Form):
    day = GovDateField("Date", called="Date of the session", validators=[InputRequired(message="Enter the date of the session")])
    starts = StringField("Start time", widget=GovTextInput(), validators=[InputRequired(message="Enter the start time"), TIME])
    ends = StringField("End time", widget=GovTextInput(), validators=[InputRequired(message="Enter the end time"), TIME])
    venue = StringField("Venue or joining details", widget=GovTextInput(),
                        validators=[InputRequired(message="Enter the venue"), Length(max=300)])
    online = BooleanField("This session is online", widget=GovCheckboxInput())
    capacity = GovIntegerField("Places", invalid="Enter the number of places as a whole number, like 20", widget=GovTextInput(),
                            validators=[InputRequired(message="Enter the number of places"),
                                        NumberRange(min=1, max=500, message="Enter a number of places from 1 to 500")])
    trainer = StringField("Trainer", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    # The version of the session the form was opened on (edits only): see bookings.update_session.
    version = HiddenField()
    submit = SubmitField("Add session", widget=GovSubmitInput())


class CancelSessionForm(Form):
    reason = TextAreaField("Why is the session cancelled?", widget=GovTextArea(),
                           validators=[InputRequired(message="Enter why the session is cancelled"), Length(max=1000)])
    submit = SubmitField("Cancel the session", widget=GovSubmitInput())


class NonAttendanceForm(EndNotBeforeStart, Form):
    class Meta:
        csrf = False

    agency = GovSelectField("Agency", invalid="Select an agency from the list", widget=GovSelect(), coerce=int, default=0,
                            validate_choice=False, validators=[Optional()])
    start = GovDateField("From", called="Start date", validators=[InputRequired(message="Enter the start date")])
    end = GovDateField("To", called="End date", validators=[InputRequired(message="Enter the end date")])
    submit = SubmitField("Download workbook", widget=GovSubmitInput())


class ExternalRecordForm(Form):
    title = StringField("Name of the training", widget=GovTextInput(), validators=[InputRequired(message="Enter the name of the training"), Length(max=300)])
    provider = StringField("Who provided it", widget=GovTextInput(), validators=[InputRequired(message="Enter who provided the training"), Length(max=300)])
    completed_on = GovDateField("Date you completed it", called="Date completed",
                                validators=[InputRequired(message="Enter the date you completed the training")])
    evidence_note = TextAreaField("Evidence", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    evidence = FileField("Certificate or other evidence (optional)", widget=GovFileInput(),
                         validators=[Optional(), FileAllowed(["pdf", "png", "jpg", "jpeg", "docx"],
                                                             "The file must be a PDF, PNG, JPG or Word document")])
    submit = SubmitField("Send for approval", widget=GovSubmitInput())


class ReviewForm(Form):
    decision = GovRadioField("Decision", invalid="Choose approve or reject", widget=GovRadioInput(), choices=[("approve", "Approve"), ("reject", "Reject")],
                          validators=[InputRequired(message="Choose approve or reject")])
    modules = GovCheckboxesField("Modules it counts for", invalid="Select the modules this training counts for from the list",
                                 widget=GovCheckboxesInput(), coerce=int)
    note = TextAreaField("Note to the practitioner", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate_modules(self, field):
        if self.decision.data == "approve" and not field.data:
            raise ValidationError("Select at least one module this training counts for")
