"""The forms of the impact work: confidence ratings (radios 1 to 5 per learning outcome),
the follow-up and the course evaluation."""
from __future__ import annotations

from functools import lru_cache

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from learning.date_range import EndNotBeforeStart
from learning.fields import GovDateField, GovRadioField
from learning.forms import Form
from learning.impact.models import Used

TEXT_LENGTH = 2000
SCALE = [("1", "1: not confident"), ("2", "2: slightly confident"), ("3", "3: fairly confident"),
         ("4", "4: confident"), ("5", "5: very confident")]
RATING_INVALID = "Select how confident you are, from 1 to 5"


def field_name(recommendation: str, prefix: str = "rate") -> str:
    return f"{prefix}_{recommendation.replace('-', '_')}"


def _rating_field() -> GovRadioField:
    return GovRadioField(choices=SCALE, invalid=RATING_INVALID, widget=GovRadioInput(), validators=[Optional()])


def _text(label: str, what: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), validators=[
        Optional(), Length(max=TEXT_LENGTH, message=f"{what} must be {TEXT_LENGTH} characters or fewer")])


@lru_cache(maxsize=64)
def rating_form(names: tuple[str, ...]) -> type[Form]:
    """A form with one optional 1-to-5 radio group per field name (field_name of each
    outcome's recommendation). One class per set of outcomes, made once."""
    return type("RatingForm", (Form,), {name: _rating_field() for name in names})


def ratings_from(form: Form, recommendations: tuple[str, ...], prefix: str = "rate") -> dict[str, int]:
    """The ratings chosen, by recommendation (outcomes left unrated are left out)."""
    chosen = {rec: form[field_name(rec, prefix)].data for rec in recommendations}
    return {rec: int(value) for rec, value in chosen.items() if value}


class FollowUpForm(Form):
    used = GovRadioField("Have you used this learning in your practice?", widget=GovRadioInput(),
                         choices=[(u.value, u.label) for u in Used],
                         invalid="Select yes, no or not yet",
                         validators=[InputRequired(message="Select yes, no or not yet")])
    example = _text("Give an example", "Your example")
    barriers = _text("What got in the way?", "What got in the way")
    shared = BooleanField("Let my agency lead read my example and what got in the way", widget=GovCheckboxInput())


@lru_cache(maxsize=64)
def evaluation_form(recommendations: tuple[str, ...]) -> type[Form]:
    """The course evaluation: usefulness, confidence before and after per outcome, what
    they will do differently and other comments."""
    fields = {
        "usefulness": GovRadioField("How useful was the course?", widget=GovRadioInput(),
                                    choices=[("1", "1: not useful"), ("2", "2: slightly useful"),
                                             ("3", "3: fairly useful"), ("4", "4: useful"), ("5", "5: very useful")],
                                    invalid="Select how useful the course was, from 1 to 5",
                                    validators=[InputRequired(message="Select how useful the course was, from 1 to 5")]),
        "differently": _text("What will you do differently?", "What you will do differently"),
        "comments": _text("Anything else you want to tell us about the course?", "Your comments"),
        "shared": BooleanField("Let my agency lead read what I wrote", widget=GovCheckboxInput()),
    }
    for rec in recommendations:
        fields[field_name(rec, "before")] = _rating_field()
        fields[field_name(rec, "after")] = _rating_field()
    return type("EvaluationForm", (Form,), fields)


class ImpactFilterForm(EndNotBeforeStart, Form):
    class Meta:
        csrf = False

    start = GovDateField("From", called="Start date")
    end = GovDateField("To", called="End date")
    submit = SubmitField("Show figures", widget=GovSubmitInput())
