"""The queue's tasks. Each takes plain values (ids, bytes), never ORM objects: a task may run
on another host, after the request that queued it has gone."""
from __future__ import annotations

from email import policy
from email.parser import BytesParser

from flask import current_app

from learning.jobs.queue import task

# Someone is watching a workbook's progress page; nobody watches an email leave. So the
# worker takes a workbook (or a count a page asked for) ahead of the mail already queued:
# the morning's reminders and follow-ups can be tens of thousands of messages.
PRIORITY = 10

# Mail that could not be delivered is tried again this many times, this far apart (seconds).
MAIL_RETRIES = 5
MAIL_RETRY_DELAY = 120


@task(priority=PRIORITY)
def build_workbook(job_id: int) -> None:
    """Build a job's workbook (learning/jobs/service.py run_job). Not retried by Huey: a job
    that fails says so; one whose worker dies is queued once more by the clean-up."""
    from learning.jobs.service import run_job

    run_job(job_id)


@task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY)
def deliver_mail(raw: bytes) -> None:
    """Send one message (as bytes). A failure is logged and raised, so Huey tries again."""
    from learning.mail import MailError, mailer

    message = BytesParser(policy=policy.default).parsebytes(raw)
    try:
        with mailer() as deliver:
            deliver(message)  # parsed with the default policy: an EmailMessage
    except MailError:
        current_app.logger.exception("mail to %s not sent: will try again", message["To"])
        raise


@task(priority=PRIORITY)
def count_partnership_figures() -> None:
    """Count the partnership's figures and keep them (learning/compliance/counted.py), unless
    another count has just done so (several web processes may ask at once)."""
    from learning.compliance.counted import recount

    recount(unless_newer_than=10)


@task(priority=PRIORITY)
def count_question_figures() -> None:
    """Count the figures of the questions staff get wrong and keep them
    (learning/compliance/counted_questions.py), unless another count has lately done so:
    a count takes a while at scale, and several web processes may ask meanwhile."""
    from learning.compliance.counted_questions import recount

    recount(unless_newer_than=120)
