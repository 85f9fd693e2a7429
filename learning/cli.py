"""Command-line tools: `flask --app app <command>`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .accounts import AccountError, create_user, find_agency
from .catalogue import catalogue, sync_modules
from .content import coverage as coverage_matrix
from .models import Role


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(content)
    app.cli.add_command(backup_command)


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_name", required=True, help="Name of an existing agency")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PRACTITIONER.value, show_default=True)
@click.option("--password", help="Initial password; you are asked for one if it is left out")
def create_user_command(email, name, agency_name, role, password):
    """Create an account."""
    agency = find_agency(agency_name)
    if agency is None:
        raise click.ClickException(f"No agency called '{agency_name}'. Create it first, or check the spelling.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email=email, name=name, agency=agency, role=Role(role), password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} account for {user.email} in {agency.name}.")


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default=None, help="Password for the demo accounts (default in README)")
def seed_demo_command(password):
    """Load demo agencies, accounts and learning records. Safe to run again."""
    from .demo import DEFAULT_PASSWORD, seed_demo

    report = seed_demo(password or DEFAULT_PASSWORD)
    for line in report:
        click.echo(line)


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write the copy to")
@click.option("--force", is_flag=True, help="Replace FILE if it exists")
def backup_command(out: Path, force: bool):
    """Take a consistent copy of the SQLite database while the app runs."""
    from .backup import BackupError, backup_sqlite

    try:
        report = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], out, overwrite=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = ", ".join(f"{n} {name}" for name, n in report.tables.items() if name != "alembic_version")
    click.echo(f"Backed up {report.source} to {report.copy} ({report.size:,} bytes; integrity ok).")
    click.echo(f"Rows: {rows}.")


@click.group("content", cls=AppGroup)
def content():
    """Check the learning content in quizzes/."""


@content.command("check")
def content_check():
    """Validate every module file; exit 1 and list every error if any."""
    errors = current_app.extensions["content_errors"]
    if errors:
        for error in errors:
            click.echo(f"ERROR {error}", err=True)
        click.echo(f"{len(errors)} error(s) in the content.", err=True)
        sys.exit(1)
    cat = catalogue()
    for module in cat.ordered():
        click.echo(f"ok  {module.slug} v{module.version}: {len(module.questions)} questions, "
                   f"{module.questions_per_attempt} per attempt, pass mark {module.pass_mark}%")
    click.echo(f"{len(cat.modules)} modules, no errors.")


@content.command("coverage")
def content_coverage():
    """Print which modules and questions teach each review theme and recommendation.

    Exits 1 if any theme or recommendation is taught by no question."""
    cat = catalogue()
    matrix = coverage_matrix(cat)
    slugs = [m.slug for m in cat.ordered()]
    missing = []
    width = max(len(s) for s in slugs) if slugs else 10
    click.echo("Questions teaching each theme and recommendation, per module\n")
    header = f"{'':<24}" + "".join(f"{i + 1:>4}" for i in range(len(slugs)))
    for section, items in (("Themes", cat.themes), ("Recommendations", cat.recommendations)):
        click.echo(section)
        click.echo(header)
        for ref in items:
            row = matrix.get(ref, {})
            counts = "".join(f"{len(row.get(slug, [])) or '-':>4}" for slug in slugs)
            click.echo(f"{ref:<24}{counts}")
            if not row:
                missing.append(ref)
        click.echo("")
    for i, slug in enumerate(slugs, 1):
        click.echo(f"{i:>3} = {slug:<{width}}")
    if missing:
        click.echo(f"\nNot taught by any question: {', '.join(missing)}", err=True)
        sys.exit(1)
    click.echo(f"\nEvery theme ({len(cat.themes)}) and recommendation ({len(cat.recommendations)}) is taught.")


@content.command("sync")
def content_sync():
    """Update the module table from quizzes/ (also done at start-up)."""
    rows = sync_modules(catalogue())
    click.echo(f"{len(rows)} modules in the database.")
