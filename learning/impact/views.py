"""The impact page: per recommendation and agency, people trained, confidence before and
after, and use in practice at follow-up. Coordinators see every agency; an agency lead sees
their own. Thin: parse the period, ask service.py, render."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from learning.access import agency_scope, role_required
from learning.impact import chart
from learning.impact.forms import ImpactFilterForm
from learning.impact.service import figures
from learning.models import Role

bp = Blueprint("impact", __name__, url_prefix="/impact")


def examples_for(viewer) -> str:
    """Coordinators read every example; a lead only those people chose to share."""
    return "all" if viewer.has_role(Role.COORDINATOR) else "shared"


@bp.route("/")
@role_required(Role.AGENCY_LEAD)
def home():
    agency_ids = agency_scope(current_user)
    sent = "start" in request.args or "end" in request.args
    form = ImpactFilterForm(request.args if sent else None)
    valid = form.validate() if sent else True
    start, end = (form.start.data, form.end.data) if valid else (None, None)
    found = figures(agency_ids, examples_for(current_user), start, end)
    return render_template("impact/home.html", figures=found, form=form, chart=chart.svg(found),
                           partnership=agency_ids is None)
