"""`flask --app app summary rebuild|verify`: the kept compliance summary from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

summary_cli = AppGroup("summary", help="The kept compliance summary behind the dashboards.")


@summary_cli.command("rebuild")
def rebuild_command():
    """Work the whole summary out again from completions and attempts."""
    from learning.compliance import summary
    from learning.compliance.counted import recount

    click.echo(f"Rebuilt the compliance summary: {summary.rebuild():,} rows.")
    recount()
    click.echo("Counted the partnership's figures again.")


@summary_cli.command("verify")
@click.option("--limit", default=50, show_default=True, help="Differences to show, at most, of each kind")
def verify_command(limit):
    """Compare the summary with the full computation; exit status 1 if they differ."""
    from learning.compliance import summary

    differences = summary.verify(limit)
    if not differences:
        click.echo("The compliance summary agrees with the full computation.")
        return
    click.echo(f"The compliance summary differs from the full computation ({len(differences)} rows shown):")
    for kind, row in differences:
        if kind.startswith("person"):
            user_id, agency_id, until = row
            what = "missing or different" if kind == "person missing" else "should not be kept as"
            click.echo(f"  {what}: person {user_id} of agency {agency_id}, compliant with all until {until}")
            continue
        user_id, module_id, agency_id, expiry, opened, failed = row
        what = "missing or different" if kind == "missing" else "should not be kept as"
        click.echo(f"  {what}: person {user_id}, module {module_id}, agency {agency_id}, latest expiry {expiry}, "
                   f"attempt open {bool(opened)}, attempt not passed {bool(failed)}")
    click.echo("Run `flask --app app summary rebuild` to put it right.")
    sys.exit(1)
