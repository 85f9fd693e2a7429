"""Command-line tools: `flask --app app <command>`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from learning.compliance.scheduled_command import send_scheduled_reports_command
from learning.content.commands import content
from learning.exports.progress import cli_progress
from learning.models import Role
from learning.people import staff_import
from learning.people.accounts import AccountError, create_user, find_agency


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(import_staff_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(content)
    app.cli.add_command(export)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(snapshot_command)
    app.cli.add_command(send_scheduled_reports_command)
    from learning.impact.commands import register as register_impact
    register_impact(app, export)
    from learning.jobs.cli import worker_command

    app.cli.add_command(worker_command)
    from learning.compliance.summary_cli import summary_cli
    app.cli.add_command(summary_cli)


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_name", required=True, help="Name of an existing agency")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PRACTITIONER.value, show_default=True)
@click.option("--password", help="Initial password (no invitation is then sent)")
@click.option("--no-email", is_flag=True, help="Send no invitation: set a password here (asked for if not given)")
def create_user_command(email, name, agency_name, role, password, no_email):
    """Create an account, and email the person an invitation to choose a password (unless
    --password or --no-email is given)."""
    from learning.mail import destination
    from learning.people.accounts import send_invitations

    agency = find_agency(agency_name)
    if agency is None:
        raise click.ClickException(f"No agency called '{agency_name}'. Create it first, or check the spelling.")
    if password is None and no_email:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email=email, name=name, agency=agency, role=Role(role), password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} account for {user.email} in {agency.name}.")
    if password is None:
        if send_invitations([user], invited_by=None):
            click.echo(f"Invitation to set a password sent to {user.email} through {destination()}.")
        else:
            raise click.ClickException(f"The invitation could not be sent through {destination()}. The account "
                                       "exists: send the link from the person's page under People.")


@click.command("import-staff")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_name", help="Agency for rows with no agency (when the file has no agency column)")
@click.option("--dry-run", is_flag=True, help="Check the file and print what would happen; write nothing")
def import_staff_command(file: Path, agency_name: str | None, dry_run: bool):
    """Import staff from an .xlsx or .csv file with the columns name, email, job title, team
    and agency. All rows or none: exits 1, printing each error, if any row has one."""
    default = None
    if agency_name:
        default = find_agency(agency_name)
        if default is None:
            raise click.ClickException(f"No agency called '{agency_name}'. Create it first, or check the spelling.")
    try:
        parsed = staff_import.parse(file.name, file.read_bytes(), current_app.config["STAFF_IMPORT_MAX_ROWS"])
    except staff_import.ImportFileError as exc:
        click.echo(f"{file.name}: {exc}", err=True)
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)
    importer = staff_import.Importer(actor=None, default_agency=default)
    preview = staff_import.validate(parsed.rows, importer)
    _print_preview(preview, every_row=dry_run)
    if not preview.ok:
        for message in preview.error_messages:
            click.echo(message, err=True)
        click.echo(f"{len(preview.error_rows)} row(s) have errors. Nothing was imported.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    result = staff_import.apply(preview, importer, filename=file.name)
    click.echo(f"Imported {file.name}: {len(result.created)} new accounts, {result.updated} updated, "
               f"{result.moved} moved to another agency, {result.unchanged} unchanged, "
               f"{result.teams_created} new team{'' if result.teams_created == 1 else 's'}.")
    if result.invite:
        _print_invitations(result)


def _print_preview(preview: staff_import.Preview, every_row: bool) -> None:
    if every_row:
        for row in preview.rows:
            click.echo(f"Row {row.number}: {row.email or '(no email)'}: {row.describe()}")
    for agency, team in preview.new_teams.values():
        click.echo(f"New team: {team} in {agency.name}")
    click.echo(f"{len(preview.rows)} rows. " + ", ".join(f"{a.label}: {preview.count(a)}" for a in staff_import.Action))


def _print_invitations(result: staff_import.ImportResult) -> None:
    """How many invitations were emailed, and the links of any that could not be sent."""
    from learning.mail import destination
    from learning.people.invitations import invitation_url

    click.echo(f"{result.invitations_sent} of {len(result.invite)} invitations to set a password sent through "
               f"{destination()}. Each person's link is also on their page under People.")
    if result.invitations_sent < len(result.invite):
        click.echo("Invitations not sent: send each person theirs.", err=True)
        for user in result.invite:
            click.echo(f"{user.email}\t{invitation_url(user)}", err=True)


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default=None, help="Password for the demo accounts (default in README)")
def seed_demo_command(password):
    """Load demo agencies, accounts and learning records. Safe to run again."""
    from learning.demo import DEFAULT_PASSWORD, seed_demo

    report = seed_demo(password or DEFAULT_PASSWORD)
    for line in report:
        click.echo(line)


@click.command("send-reminders")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Count what is due without sending or recording anything")
def send_reminders_command(dry_run):
    """Email reminders about learning that runs out soon, and agency leads a digest; and
    each person booked on a course session, two days before it.

    Meant for a daily cron job. Each expiry is reminded about once, so running it again
    sends nothing new. Exits 1 if any message could not be sent (the next run retries it)."""
    from learning.compliance.reminders import send_reminders
    from learning.mail import MailError

    try:
        outcome = send_reminders(dry_run=dry_run)
    except MailError as exc:
        raise click.ClickException(f"{exc}. Nothing was sent; the next run will try again.") from exc
    p, d = outcome.practitioner_reminders, outcome.lead_digests
    b = outcome.booking_reminders
    counts = f"{p} practitioner reminder{'' if p == 1 else 's'} and {d} lead digest{'' if d == 1 else 's'}"
    if b:
        counts += f" (and {b} course reminder{'' if b == 1 else 's'})"
    if dry_run:
        click.echo(f"Dry run: {counts} due. Nothing was sent or recorded. Mail would go to {outcome.where}.")
        return
    verb = "Sent" if current_app.config.get("MAIL_SERVER") else "Wrote"
    click.echo(f"{verb} {counts} to {outcome.where}.")
    if outcome.failures:
        for failure in outcome.failures:
            click.echo(f"NOT SENT {failure}", err=True)
        click.echo(f"{len(outcome.failures)} message(s) could not be sent; the next run will try again.", err=True)
        sys.exit(1)


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write the copy to")
@click.option("--force", is_flag=True, help="Replace FILE if it exists")
def backup_command(out: Path, force: bool):
    """Take a consistent copy of the SQLite database while the app runs."""
    from learning.backup import BackupError, backup_sqlite

    try:
        report = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], out, overwrite=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = ", ".join(f"{n} {name}" for name, n in report.tables.items() if name != "alembic_version")
    click.echo(f"Backed up {report.source} to {report.copy} ({report.size:,} bytes; integrity ok).")
    click.echo(f"Rows: {rows}.")


@click.group("export", cls=AppGroup)
def export():
    """Write workbooks (the same as the dashboard downloads)."""


def _agency_ids(name: str | None) -> tuple[int, ...] | None:
    if not name:
        return None
    agency = find_agency(name)
    if agency is None:
        raise click.ClickException(f"No agency called '{name}'.")
    return (agency.id,)


@export.command("compliance")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--agency", "agency_name", help="Only this agency (default: every agency)")
def export_compliance(out, agency_name):
    """The compliance workbook: summary, staff matrix, completions, coverage, misconceptions, about."""
    from learning import audit
    from learning.compliance import Scope, compliance_workbook

    scope = Scope(agency_ids=_agency_ids(agency_name))
    with cli_progress("Compliance workbook", compliance_workbook.expected_rows(scope)) as progress:
        counts = compliance_workbook.build(out, scope, "command line", current_app.config["EXPIRING_WINDOW_DAYS"],
                                           progress=progress)
    audit.record("export_compliance", {**counts, "agencies": agency_name or "all", "agencies_count": counts["agencies"], "via": "cli"})
    click.echo(f"Wrote {out}: {counts['people']} staff, {counts['completions']} completions, {counts['agencies']} agencies.")


@export.command("board-pack")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="The PDF to write")
@click.option("--agency", "agency_ref", help="Only this agency, by id or by name (default: every agency)")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="YYYY-MM-DD: the period's first day (default: the start of the last twelve months)")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD: its last day (default: today)")
def export_board_pack(out, agency_ref, start, end):
    """The board pack: a short PDF of compliance, its trend, each agency's figures, the review's
    recommendations, the questions most often answered wrong and course attendance."""
    from learning import audit
    from learning.compliance.board_pack import PeriodError, build_board_pack
    from learning.extensions import db
    from learning.models import Agency

    agency_id = None
    if agency_ref:
        agency = db.session.get(Agency, int(agency_ref)) if agency_ref.strip().isdigit() else None
        agency = agency or find_agency(agency_ref)
        if agency is None:
            raise click.ClickException(f"No agency with the id or name '{agency_ref}'.")
        agency_id = agency.id
    try:
        counts = build_board_pack(out, agency_id, start.date() if start else None, end.date() if end else None)
    except PeriodError as error:
        raise click.BadParameter(str(error)) from None
    audit.record("export_board_pack", {**counts, "agencies": [agency_id] if agency_id else "all", "agencies_count": counts["agencies"], "via": "cli"})
    click.echo(f"Wrote {out}: {counts['pages']} pages, {counts['from']} to {counts['to']}.")


@export.command("completions")
@click.option("--module", "slug", required=True, help="Module slug, e.g. police-protection")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--agency", "agency_name", help="Only this agency")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
def export_completions(slug, start, end, agency_name, out):
    """E-learning completions of one module in a date range."""
    from sqlalchemy import select

    from learning import audit
    from learning.compliance import completions_workbook
    from learning.extensions import db
    from learning.models import Module

    module = db.session.scalar(select(Module).where(Module.slug == slug))
    if module is None:
        raise click.ClickException(f"No module '{slug}'. Run `flask --app app content check` to list them.")
    if start and end and end < start:
        raise click.ClickException("--to must be the same as or after --from.")
    agency_ids, first, last = _agency_ids(agency_name), start.date() if start else None, end.date() if end else None
    with cli_progress("Completions", completions_workbook.expected_rows(module, agency_ids, first, last)) as progress:
        counts = completions_workbook.build(out, module, agency_ids, first, last, "command line", progress=progress)
    audit.record("export_completions", {"module": slug, "via": "cli", **counts})
    click.echo(f"Wrote {out}: {counts['completions']} completions of {module.title}.")


@export.command("attendance")
@click.option("--session", "session_id", required=True, type=int, help="Session id (shown in its web address)")
@click.option("--register", is_flag=True, help="The register with attendance, instead of the sign-in sheet")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
def export_attendance(session_id, register, out):
    """A session's printable sign-in sheet, or its register after the session."""
    from learning import audit
    from learning.courses import attendance_sheet
    from learning.courses.times import local
    from learning.extensions import db
    from learning.models import CourseSession

    session = db.session.get(CourseSession, session_id)
    if session is None:
        raise click.ClickException(f"No session with id {session_id}.")
    counts = attendance_sheet.build(out, session, register=register)
    audit.record("export_attendance", {"session": session_id, "kind": "register" if register else "sign-in-sheet",
                                       "via": "cli", **counts})
    click.echo(f"Wrote {out}: {counts['people']} people, {session.course.title} on {local(session.starts_at):%-d %B %Y}.")


@click.command("seed-scale")
@click.option("--practitioners", type=click.IntRange(1, 1_000_000), required=True, help="How many people to add")
@click.option("--agencies", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data")
@with_appcontext
def seed_scale_command(practitioners, agencies, seed):
    """Add a synthetic workforce with attempts (submitted ones with their questions answered),
    completions and course bookings, for scale tests."""
    import time

    from learning.scale import seed_scale

    began = time.perf_counter()
    with click.progressbar(length=practitioners, label="Adding practitioners") as bar:
        counts = seed_scale(practitioners, agencies, seed, progress=bar.update)
    click.echo(f"Added {counts['users']:,} practitioners, {counts['attempts']:,} attempts "
               f"({counts['answers']:,} questions answered), {counts['completions']:,} completions and {counts['bookings']:,} course bookings "
               f"in {time.perf_counter() - began:.0f} s.")


@click.command("snapshot")
@with_appcontext
def snapshot_command():
    """Keep today's compliance figures for the trend charts (run it daily, from cron)."""
    from learning.compliance.trend import take_snapshot

    click.echo(f"Kept {take_snapshot()} compliance figures for today.")
