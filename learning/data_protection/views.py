"""Admin: erase a leaver; export one person's data (subject access)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from learning import audit
from learning.access import role_required
from learning.data_protection import erase, subject_access
from learning.exports import send_workbook
from learning.extensions import db
from learning.jobs.views import send_or_queue
from learning.learner.forms import EmptyForm
from learning.models import Role, User

bp = Blueprint("data_protection", __name__, url_prefix="/people")


def _person(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/<id:user_id>/data.xlsx")
@role_required(Role.ADMIN)
def subject_access_export(user_id: int):
    person = _person(user_id)
    filename = f"personal-data-{person.id}.xlsx"
    # One person, but years of activity can make many rows: sized by the rows it will have.
    return send_or_queue("subject-access", {"user": person.id}, filename, subject_access.expected_rows(person),
                         lambda: send_workbook(lambda out: subject_access.build(out, person, current_user.email),
                                               "export_subject_access", {"user": person.id}, filename))


@bp.route("/<id:user_id>/erase", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def erase_person(user_id: int):
    person = _person(user_id)
    if person.id == current_user.id:
        abort(403)  # an admin cannot erase themselves by accident
    form = EmptyForm()
    if person.erased_at is None and form.validate_on_submit():
        erase(person)
        audit.record("erase", {"user": person.id})
        flash("The person's details have been erased. Their learning records remain as anonymous counts.", "success")
        return redirect(url_for("people.users"))
    return render_template("people/erase.html", person=person, form=form)
