"""Form fields shared by several blueprints, and `present` for a required field's data."""
from typing import TypeVar

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.utils import unset_value

T = TypeVar("T")


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year boxes sent under one name) as a date.

    govuk-frontend-wtf's widget expects either no raw data or all three parts; a request
    that leaves the field out entirely gives an empty list, which it cannot unpack."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        # `unset_value`, as WTForms has it, so that a `default=` still applies.
        super().process(formdata, data, extra_filters)
        if not self.raw_data:
            self.raw_data = None


def present(data: T | None) -> T:
    """A required field's data once the form has validated. WTForms types every field's
    `data` as optional (it is None before validation); InputRequired or DataRequired has
    made it present by now, and this says so to the type checker and fails loudly if not."""
    if data is None:
        raise ValueError("A required field has no data: validate the form before reading it")
    return data
