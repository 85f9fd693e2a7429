"""No WTForms default message reaches a person: every field of every form in learning/
answers a wrong value in its own words."""
import importlib
import pkgutil

import pytest
from werkzeug.datastructures import MultiDict

import learning
from learning.forms import Form

# Words from WTForms' own messages ("Not a valid choice.", "Not a valid integer value.",
# "Invalid Choice: could not coerce.", "This field is required."...).
DEFAULTS = ("not a valid", "invalid choice", "could not be coerced", "this field is required", "invalid input",
            "field must be", "number must be", "invalid value")


def every_form() -> list[type[Form]]:
    for module in pkgutil.walk_packages(learning.__path__, "learning."):
        importlib.import_module(module.name)
    found, waiting = [], list(Form.__subclasses__())
    while waiting:
        cls = waiting.pop()
        found.append(cls)
        waiting.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORMS = every_form()


def test_the_walk_finds_the_forms():
    assert len(FORMS) > 20


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
@pytest.mark.parametrize("junk", ["x", "99999999999", "-1"])
def test_every_field_answers_a_wrong_value_in_its_own_words(app, form_class, junk):
    with app.test_request_context(method="POST"):
        names = [name for name, _ in form_class(formdata=None, meta={"csrf": False})._fields.items()]
        form = form_class(formdata=MultiDict([(name, junk) for name in names]), meta={"csrf": False})
        for field in form:
            if getattr(field, "choices", ()) is None:
                field.choices = [(1, "One")]
        form.validate()
        for field in form:
            for error in field.errors:
                assert not any(words in str(error).lower() for words in DEFAULTS), f"{field.name}: {error}"
