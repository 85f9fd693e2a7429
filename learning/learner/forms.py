from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput
from wtforms import RadioField, SelectMultipleField
from wtforms.validators import InputRequired

from ..content import Question


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for one-button POSTs (start, submit, sign out)."""


class OneAnswerForm(FlaskForm):
    answer = RadioField(widget=GovRadioInput(), validators=[InputRequired(message="Select an answer")])


class SeveralAnswersForm(FlaskForm):
    answer = SelectMultipleField(widget=GovCheckboxesInput(),
                                 validators=[InputRequired(message="Select at least one answer")])


def answer_form(question: Question, option_order: list[str]) -> FlaskForm:
    """A radio group (one answer) or checkboxes (several) with the options in the attempt's
    shuffled order. Values are positions in that order ("option-1"...), not the content's
    option ids, so the page source gives no hint of which option the author wrote first.

    Two fixed form classes, with the question filled in per request (WTForms' way of
    dynamic choices): building a class per request cost more than the rest of the form."""
    form = SeveralAnswersForm() if question.kind.multiple_answers else OneAnswerForm()
    form.answer.choices = [(f"option-{i}", question.option(oid).text) for i, oid in enumerate(option_order, 1)]
    form.answer.label.text = question.prompt
    return form


def chosen_option_ids(values: list[str] | str, option_order: list[str]) -> list[str]:
    """Map submitted values back to option ids; unknown values map to themselves so the
    service rejects them."""
    values = values if isinstance(values, list) else [values]
    by_value = {f"option-{i}": oid for i, oid in enumerate(option_order, 1)}
    return [by_value.get(v, v) for v in values]


def kept_choice(form: FlaskForm, values: list[str]) -> list[str] | str | None:
    """Values sent earlier, as the answer field's data, keeping only the options on this
    page; None if none are left. Used to show a choice again, never to score it."""
    valid = {value for value, _label in form.answer.choices}
    kept = [v for v in values if v in valid]
    if not kept:
        return None
    return kept if isinstance(form.answer, SelectMultipleField) else kept[0]
