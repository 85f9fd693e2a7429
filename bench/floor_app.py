"""The real app (app:app) plus two bench-only pages that do the least any signed-in page of
the service does, so bench/throughput.py and bench/instructions.py can show how much of a
page's cost is its own:

- GET /floor/page: check the session and load the person (as every signed-in page does),
  render the layout with a form carrying a CSRF token, and nothing else;
- POST /floor/write: the same checks plus CSRFProtect's, one UPDATE of the person's own row
  that changes nothing, a commit, and a redirect: the least an answer post can do.

bench/throughput.py serves `served()` (app:app with these pages) from the gunicorn that also
serves the question page and /health. Never part of the app itself.
"""
from flask import Flask, redirect, render_template
from flask_login import current_user
from sqlalchemy import bindparam, update

from learning.access import signed_in
from learning.extensions import db
from learning.models import User

_TOUCH = update(User).where(User.id == bindparam("person")).values(session_epoch=User.session_epoch)


def add_floor_pages(app: Flask) -> Flask:
    layout = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block title %}Floor{% endblock %}{% block body %}'
        '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}"></form>'
        '{% endblock %}')

    @signed_in
    def floor_page():
        return render_template(layout)

    @signed_in
    def floor_write():
        db.session.connection().execute(_TOUCH, {"person": current_user.id})
        db.session.commit()
        return redirect("/floor/page")

    app.add_url_rule("/floor/page", "floor_page", floor_page)
    app.add_url_rule("/floor/write", "floor_write", floor_write, methods=["POST"])
    return app


def served() -> Flask:
    """gunicorn's target: `gunicorn 'bench.floor_app:served()'`."""
    from app import app as real_app

    return add_floor_pages(real_app)
