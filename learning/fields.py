"""Form fields shared by several blueprints."""
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year boxes sent under one name) as a date.

    govuk-frontend-wtf's widget expects either no raw data or all three parts; a request
    that leaves the field out entirely gives an empty list, which it cannot unpack."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process(self, formdata, data=None, **kwargs):
        super().process(formdata, data, **kwargs)
        if not self.raw_data:
            self.raw_data = None
