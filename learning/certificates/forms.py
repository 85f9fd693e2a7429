from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from learning.certificates.service import normalise_code
from learning.forms import Form


class VerifyForm(Form):
    """Type a certificate code. A GET form: checking a code changes nothing."""

    class Meta:
        csrf = False

    code = StringField("Certificate code", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the certificate code")])
    submit = SubmitField("Check certificate", widget=GovSubmitInput())

    def validate_code(self, field):
        if normalise_code(field.data) is None:
            raise ValidationError("Enter the code as it is printed on the certificate: 24 letters and numbers, "
                                  "in groups of 4")


class RevokeForm(Form):
    reason = TextAreaField(
        "Why are you revoking this certificate?", widget=GovCharacterCount(),
        validators=[InputRequired(message="Enter why you are revoking this certificate"),
                    Length(max=500, message="The reason must be 500 characters or fewer")],
    )
