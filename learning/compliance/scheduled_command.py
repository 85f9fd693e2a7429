"""`flask --app app send-scheduled-reports`: email every scheduled compliance workbook that is
due (learning/compliance/scheduled.py). Run it daily from cron, or from the worker's
periodic task; running it again the same day sends nothing twice."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("send-scheduled-reports")
@with_appcontext
def send_scheduled_reports_command():
    """Email the scheduled compliance workbooks that are due."""
    from learning.compliance.scheduled import send_due
    from learning.mail import MailError, destination

    try:
        result = send_due()
    except MailError as error:
        raise click.ClickException(f"{error}. The reports not sent stay due and go at the next run.") from None
    click.echo(f"Sent {result.sent} scheduled {'report' if result.sent == 1 else 'reports'} in {result.emails} "
               f"{'email' if result.emails == 1 else 'emails'} to {destination()}"
               f"{f' ({result.linked} as a link, too big to attach)' if result.linked else ''}.")
    if result.stopped:
        click.echo(f"Stopped {len(result.stopped)} whose owner can no longer see the figures.")
