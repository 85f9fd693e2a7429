from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovRadioInput, GovTextArea
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from learning.content import Question
from learning.fields import GovCheckboxesField, GovRadioField
from learning.forms import Form
from learning.learner.reflection import MAX_LENGTH as REFLECTION_LENGTH


class EmptyForm(Form):
    """A form with only the CSRF token, for one-button POSTs (start, submit, sign out)."""


class _AnswerForm(Form):
    class Meta:
        # CSRFProtect checks the token of every POST, this one included, before the view
        # runs. A token field here would only sign a fresh token on every answer for a
        # response (a redirect) that has no form. The page writes the token itself.
        csrf = False


class OneAnswerForm(_AnswerForm):
    answer = GovRadioField(invalid="Select one of the answers shown", widget=GovRadioInput(), validators=[InputRequired(message="Select an answer")])


class SeveralAnswersForm(_AnswerForm):
    answer = GovCheckboxesField(invalid="Select answers from those shown", widget=GovCheckboxesInput(),
                                 validators=[InputRequired(message="Select at least one answer")])


def _choices(question: Question, option_order: list[str]) -> list[tuple[str, str]]:
    # Values are positions in the attempt's shuffled order ("option-1"...), not the
    # content's option ids, so the page source gives no hint of which option the author
    # wrote first.
    texts = {option.id: option.text for option in question.options}
    return [(f"option-{i}", texts[oid]) for i, oid in enumerate(option_order, 1)]


class AnswerChoices:
    """The answer options as a question page shows them when nothing has been posted: the
    names the radios or checkboxes markup reads (overrides/choices.html), with no form
    behind them. Building a WTForms form cost more than the rest of the page's Python, and
    nothing on a GET is validated; `answer_form` validates what is posted."""

    id = name = "answer"
    errors = ()

    def __init__(self, question: Question, option_order: list[str], data: list[str] | str | None = None):
        self.choices = _choices(question, option_order)
        self.multiple = question.kind.multiple_answers
        self.data = data


def answer_form(question: Question, option_order: list[str]) -> Form:
    """A radio group (one answer) or checkboxes (several) with the options in the attempt's
    shuffled order, to validate a posted answer.

    Two fixed form classes, with the question filled in per request (WTForms' way of
    dynamic choices): building a class per request cost more than the rest of the form."""
    form = SeveralAnswersForm() if question.kind.multiple_answers else OneAnswerForm()
    form.answer.choices = _choices(question, option_order)
    form.answer.label.text = question.prompt
    return form


def chosen_option_ids(values: list[str] | str, option_order: list[str]) -> list[str]:
    """Map submitted values back to option ids; unknown values map to themselves so the
    service rejects them."""
    values = values if isinstance(values, list) else [values]
    by_value = {f"option-{i}": oid for i, oid in enumerate(option_order, 1)}
    return [by_value.get(v, v) for v in values]


def kept_choice(choices: AnswerChoices, values: list[str]) -> list[str] | str | None:
    """Values sent earlier, as the answer's data, keeping only the options on this page;
    None if none are left. Used to show a choice again, never to score it."""
    valid = {value for value, _label in choices.choices}
    kept = [v for v in values if v in valid]
    if not kept:
        return None
    return kept if choices.multiple else kept[0]


class ReflectionForm(Form):
    reflection = TextAreaField(
        "What will you do differently?", widget=GovTextArea(),
        validators=[Optional(), Length(max=REFLECTION_LENGTH,
                                       message=f"Your reflection must be {REFLECTION_LENGTH} characters or fewer")])
    shared = BooleanField("Let my agency lead read this", widget=GovCheckboxInput())
