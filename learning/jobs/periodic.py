"""The worker's periodic tasks: the one place they are registered.

The worker (`flask --app app worker`) runs each when its crontab matches (Huey's
scheduler, checked every minute). To add one (the daily snapshot, the reminders), write a
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
