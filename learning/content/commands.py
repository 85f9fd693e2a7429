"""`flask --app app content check | lint | coverage | sync`: the checks a content author runs
before a change to quizzes/ is merged, and the command that records module versions."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from learning.content import coverage as coverage_matrix
from learning.content.catalogue import catalogue, sync_modules
from learning.content.lint import lint as lint_options


@click.group("content", cls=AppGroup)
def content():
    """Check the learning content in quizzes/."""


@content.command("check")
def content_check():
    """Validate every module file and lint its options; exit 1 and list every error if any."""
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
    problems = [problem for figures in lint_options(cat.ordered())[0] for problem in figures.problems()]
    for problem in problems:
        click.echo(f"LINT {problem}", err=True)
    if problems:
        click.echo("The options give answers away: see `flask --app app content lint`.", err=True)
        sys.exit(1)
    click.echo(f"{len(cat.modules)} modules, no errors, options pass the lint.")


@content.command("lint")
def content_lint_command():
    """Do the options give the answer away? Absolute words and the longest option, per module.

    Exits 1 when a module's options fail either rule (learning/content_lint.py)."""
    per_module, overall = lint_options(catalogue().ordered())
    problems = []
    for figures in [*per_module, overall]:
        click.echo(f"{figures.name:<28} absolute words: {figures.wrong_absolute_share:4.0f}% of wrong options, "
                   f"{figures.right_absolute_share:4.0f}% of right ones; longest option right in "
                   f"{figures.longest_right} of {figures.questions} (chance {figures.longest_right_by_chance:.1f})")
        problems += figures.problems()
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        sys.exit(1)


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
