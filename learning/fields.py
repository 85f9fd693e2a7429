"""Form fields shared by several blueprints, and `present` for a required field's data."""
from __future__ import annotations

from datetime import date
from typing import TypeVar

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField

T = TypeVar("T")

# Dates the service deals in: training done, sessions run, reports asked for. A year outside
# these is a typing slip, and year 9999 would overflow when an expiry is added to it.
FIRST_YEAR = 1900
LAST_YEAR = 2099


class GovDateField(DateField):
    """A GOV.UK date input (day, month and year boxes sent under one name) as a date.

    Whatever is sent, the field ends with three raw parts for the boxes to show again (the
    widget cannot draw any other number) and either a date or an error that names the field
    as GOV.UK asks: "Date completed must be a real date". Nothing typed is None, so
    `InputRequired` or no validator at all decides whether the date may be left out.

    `called`: how error messages call the date, when the label is a question or an
    instruction ("Date you completed it" is called "Date completed")."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, called: str | None = None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)
        self.called = called or self.label.text

    def process_formdata(self, valuelist):
        parts = [value.strip() for value in valuelist]
        if not any(parts):
            self.raw_data, self.data = None, None
            return
        self.raw_data = [*valuelist, "", "", ""][:3]
        self.data = None
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{self.called} must include a day, month and year")
        if not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
            raise ValueError(f"{self.called} must be a real date")
        day, month, year = (int(part) for part in parts)
        try:
            when = date(year, month, day)
        except ValueError:
            raise ValueError(f"{self.called} must be a real date") from None
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"{self.called} must be a real date, with a year from {FIRST_YEAR} to {LAST_YEAR}")
        self.data = when


class OwnMessage:
    """A field whose every WTForms default message ("Not a valid choice.", "Not a valid
    integer value.", "Invalid Choice: could not coerce.") is its own GOV.UK-style message,
    `invalid`: what went wrong in the field's own words and what to do ("Select a team from
    the list"). WTForms asks the field's `gettext` for each default message, so answering
    there covers every one of them, including those of later WTForms versions."""

    def __init__(self, *args, invalid: str, **kwargs):
        self.invalid = invalid  # first: WTForms may ask for a message while it sets the field up
        super().__init__(*args, **kwargs)

    def gettext(self, string):
        return self.invalid

    def ngettext(self, singular, plural, n):
        return self.invalid


class GovSelectField(OwnMessage, SelectField):
    """A select whose invalid choice says `invalid`."""


class GovRadioField(OwnMessage, RadioField):
    """Radios whose invalid choice says `invalid`."""


class GovCheckboxesField(OwnMessage, SelectMultipleField):
    """Checkboxes whose invalid choices say `invalid`."""


class GovIntegerField(OwnMessage, IntegerField):
    """A whole number whose non-number says `invalid`."""


def present(data: T | None) -> T:
    """A required field's data once the form has validated. WTForms types every field's
    `data` as optional (it is None before validation); InputRequired or DataRequired has
    made it present by now, and this says so to the type checker and fails loudly if not."""
    if data is None:
        raise ValueError("A required field has no data: validate the form before reading it")
    return data
