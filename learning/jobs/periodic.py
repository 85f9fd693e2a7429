"""The worker's periodic tasks: the one place they are registered.

The worker (`flask --app app worker`) runs each when its crontab matches (Huey's
scheduler, checked every minute). To add one, write a
function here with `@periodic(crontab(...))`; it runs in the app's context."""
from __future__ import annotations

from flask import current_app
from huey import crontab

from learning.jobs.queue import periodic


@periodic(crontab(minute="*/5"))
def clean_up() -> None:
    """Delete finished workbooks past JOB_FILE_HOURS and staff-import uploads past their hour;
    queue again (once) or fail jobs whose worker died."""
    from learning.jobs.service import clean_up as clean_up_jobs
    from learning.people.staff_import import sweep_uploads

    outcome = clean_up_jobs()
    outcome["uploads_deleted"] = sweep_uploads()
    if any(outcome.values()):
        current_app.logger.info("clean-up: %s", outcome)


@periodic(crontab())
def count_partnership_figures() -> None:
    """Count the partnership's figures every minute, so that no page has to
    (learning/compliance/counted.py)."""
    from learning.compliance.counted import recount

    recount(unless_newer_than=10)


@periodic(crontab(minute="*/15"))
def count_question_figures() -> None:
    """Count the figures of the questions staff get wrong every 15 minutes: every answer is
    read, and they change slowly (learning/compliance/counted_questions.py)."""
    from learning.compliance.counted_questions import recount

    recount(unless_newer_than=60)


# The daily work that cron runs as commands on a machine without a worker. Each is safe to run
# again the same day (it sends or keeps nothing twice), so a worker and a cron job together
# do no harm. At night, when nobody is waiting on the database.
@periodic(crontab(hour="2", minute="10"))
def daily_snapshot() -> None:
    """Keep today's compliance figures for the charts (as `flask --app app snapshot`)."""
    from learning.compliance.trend import take_snapshot

    current_app.logger.info("snapshot: kept %s figures", take_snapshot())


@periodic(crontab(hour="6", minute="30"))
def daily_emails() -> None:
    """Reminders, follow-ups, course evaluations and scheduled reports (as send-reminders,
    send-follow-ups and send-scheduled-reports). A mail failure is logged; what was not
    sent stays due and goes the next day."""
    from learning.compliance.reminders import send_reminders
    from learning.compliance.scheduled import send_due
    from learning.impact.evaluation import send_invitations
    from learning.impact.follow_up import send_follow_ups

    for name, work in (("reminders", send_reminders), ("follow-ups", send_follow_ups),
                       ("course evaluations", send_invitations), ("scheduled reports", send_due)):
        try:
            current_app.logger.info("%s: %s", name, work())
        except Exception:
            current_app.logger.exception("%s could not all be sent; the rest stay due", name)
