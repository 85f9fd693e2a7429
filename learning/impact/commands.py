"""The impact commands: `flask --app app send-follow-ups` and `flask --app app export impact`."""
from __future__ import annotations

import click
from flask import Flask
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


def register(app: Flask, export: AppGroup) -> None:
    app.cli.add_command(send_follow_ups_command)
