"""Scheduled reports' pages, under the dashboard: the person's subscriptions, a form to add
one, unsubscribing; and the page that the link in each email opens, which takes that
address off the list (no account needed: the link is signed)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from learning.access import public, role_required
from learning.compliance import scheduled
from learning.compliance.forms import ButtonForm, ScheduledReportForm
from learning.compliance.views import bp
from learning.extensions import db
from learning.models import ReportSubscription, Role

LIST = "compliance.scheduled_reports"


@bp.route("/scheduled-reports")
@role_required(Role.AGENCY_LEAD)
def scheduled_reports():
    return render_template("compliance/scheduled_reports.html", subscriptions=scheduled.owned(current_user),
                           frequencies=scheduled.FREQUENCIES, form=ButtonForm())


@bp.route("/scheduled-reports/new", methods=["GET", "POST"])
@role_required(Role.AGENCY_LEAD)
def new_scheduled_report():
    form = ScheduledReportForm()
    form.agency.choices = scheduled.agencies_for(current_user)
    if form.validate_on_submit():
        try:
            recipients = scheduled.parse_recipients(form.recipients.data or "")
            agency_id = (form.agency.data or None) if current_user.has_role(Role.COORDINATOR) else current_user.agency_id
            scheduled.subscribe(current_user, agency_id, form.frequency.data or "", recipients)
        except scheduled.SubscriptionError as problem:
            form.recipients.errors = [*form.recipients.errors, str(problem)]
        else:
            flash(f"Subscribed. The first workbook goes to {len(recipients)} "
                  f"{'address' if len(recipients) == 1 else 'addresses'} at the next run.", "success")
            return redirect(url_for(LIST))
    return render_template("compliance/scheduled_report_form.html", form=form,
                           coordinator=current_user.has_role(Role.COORDINATOR))


@bp.route("/scheduled-reports/<id:subscription_id>/unsubscribe", methods=["POST"])
@role_required(Role.AGENCY_LEAD)
def unsubscribe_scheduled_report(subscription_id: int):
    sub = db.session.get(ReportSubscription, subscription_id)
    if sub is None or sub.owner_id != current_user.id or sub.ended_at is not None:
        abort(404)
    scheduled.end(sub, "Unsubscribed by its owner")
    flash(f"Unsubscribed. The {scheduled.FREQUENCIES[sub.frequency].lower()} workbook for "
          f"{scheduled.scope_name(sub)} will not be sent again.", "success")
    return redirect(url_for(LIST))


@bp.route("/scheduled-reports/stop/<token>", methods=["GET", "POST"])
@public
def scheduled_report_stop(token: str):
    found = scheduled.from_stop_token(token) or abort(404)
    sub, address = found
    form = ButtonForm()
    if form.validate_on_submit():
        scheduled.remove_address(sub, address)
        return render_template("compliance/scheduled_report_stop.html", done=True, address=address, sub=sub, form=form)
    return render_template("compliance/scheduled_report_stop.html", done=False, address=address, sub=sub, form=form,
                           frequencies=scheduled.FREQUENCIES)
