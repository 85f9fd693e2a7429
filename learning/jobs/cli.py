"""`flask --app app worker`: the queue's consumer, with the periodic tasks."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Jobs run at once (threads)")
@click.option("--no-periodic", is_flag=True, help="Leave the periodic tasks (clean-up) to another worker")
@with_appcontext
def worker_command(workers: int, no_periodic: bool):
    """Run the job queue's worker until stopped (Ctrl-C or SIGTERM): workbooks, emails, the
    partnership's figures every minute, and every five minutes the clean-up of old files
    and lost jobs."""
    from learning.jobs import periodic, tasks  # noqa: F401 - registers the tasks with the queue
    from learning.jobs.queue import bind, huey, settings

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not the proxy
    if app.config.get("JOBS_IMMEDIATE"):
        raise click.ClickException("JOBS_IMMEDIATE is on: jobs run where they are asked for, so a worker has nothing to do.")
    bind(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _, name, where = settings(app)
    click.echo(f"Worker for queue '{name}' on {_safe(where)}, {workers} thread{'' if workers == 1 else 's'}.")
    # An idle worker looks for work at most a second apart (Huey's default backs off to 10 s):
    # someone is usually watching a progress bar, and on Redis or SQLite the look is cheap.
    huey.create_consumer(workers=workers, periodic=not no_periodic, worker_type="thread", max_delay=1.0).run()


def _safe(where: str) -> str:
    """The queue's address without a password."""
    if "@" in where and "://" in where:
        scheme, rest = where.split("://", 1)
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return where
