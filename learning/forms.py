"""The base of every form: what a person types passes the one rule for text on the way in.

`Form` (use it instead of Flask-WTF's FlaskForm) does two things for every field of every
form, so no form can forget them:

- Every submitted value goes through `text.clean` (NFC, characters XML 1.0 forbids
  removed, NUL included) before any field sees it, so a NUL never reaches PostgreSQL and
  a U+FFFE never reaches a workbook. NUL and the other forbidden characters are removed,
  not refused: they cannot be typed, only pasted or forged, and what is left is what the
  person meant. Validators see the cleaned value, so a name that was only forbidden
  characters is an empty name ("Enter the person's name"). Passwords are left exactly as
  typed: they are never stored or shown, only hashed.
- A field that reads a whole number with `coerce=int` (an agency, team or module chosen
  from a list) refuses one the database could not hold, as it refuses a word.
"""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField

from learning.numbers import whole_number
from learning.text import clean


def _cleaned(formdata, keep: set[str]):
    if formdata is None or not hasattr(formdata, "items"):
        return formdata
    return MultiDict([(name, clean(value) if isinstance(value, str) and name not in keep else value)
                      for name, value in formdata.items(multi=True)])


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # The service takes forms, never JSON: Flask-WTF would read a JSON body as the
            # form, and a body that is not an object is a 500 inside it.
            if formdata is _Auto and request.is_json:
                return None
            passwords = {field.name for field in form if isinstance(field, PasswordField)}
            return _cleaned(super().wrap_formdata(form, formdata), passwords)

        def bind_field(self, form, unbound_field, options):
            if unbound_field.kwargs.get("coerce") is int:
                options = {**options, "coerce": whole_number}
            return super().bind_field(form, unbound_field, options)
