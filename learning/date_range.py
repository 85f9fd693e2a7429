"""The one rule for a form that asks for a period: its end may be its start or later."""
from wtforms import Field, ValidationError


class EndNotBeforeStart:
    """Mix into a form with `start` and `end` date fields (before FlaskForm in the bases):
    an end before the start is an error on the end field. Either may be left empty where the
    form allows it; the rule applies only when both are given."""

    start: Field

    def validate_end(self, field: Field) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The end date must be the same as or after the start date")
