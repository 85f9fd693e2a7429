"""The impact commands: `flask --app app send-follow-ups` and `flask --app app export impact`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext


@click.command("send-follow-ups")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Count what is due without sending or recording anything")
def send_follow_ups_command(dry_run):
    """Ask each person, FOLLOW_UP_DAYS after a completion, whether they have used the
    learning in their practice; and invite each person marked attended on a course to
    evaluate it. Each is asked once, so running it again sends nothing new."""
    from learning.impact.evaluation import send_invitations
    from learning.impact.follow_up import send_follow_ups

    asked, invited = send_follow_ups(dry_run=dry_run), send_invitations(dry_run=dry_run)
    counts = (f"{asked} follow-up{'' if asked == 1 else 's'} and "
              f"{invited} course evaluation invitation{'' if invited == 1 else 's'}")
    click.echo(f"Dry run: {counts} due. Nothing was sent." if dry_run else f"Sent {counts}.")


@click.command("impact")
@with_appcontext
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="The workbook to write")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (YYYY-MM-DD)")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day (YYYY-MM-DD)")
def export_impact(out, start, end):
    """The impact workbook: per recommendation and agency, people trained, confidence before
    and after, use in practice at follow-up; examples without names; method and suppression."""
    from learning import audit
    from learning.impact import workbook

    first, last = (start.date() if start else None), (end.date() if end else None)
    if first and last and last < first:
        raise click.BadParameter("The end date must be the same as or after the start date", param_hint="--to")
    counts = workbook.build(out, None, current_app.config["FOLLOW_UP_DAYS"], "command line", first, last)
    audit.record("export_impact", {"via": "cli", "from": first and first.isoformat(), "to": last and last.isoformat(),
                                   **counts})
    click.echo(f"Wrote {out}: {counts['recommendations']} recommendations, {counts['examples']} examples.")


def register(app: Flask, export: AppGroup) -> None:
    app.cli.add_command(send_follow_ups_command)
    export.add_command(export_impact)
