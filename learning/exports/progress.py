"""Progress of an export on the command line: a bar on a terminal, plain lines otherwise
(a log file or cron's mail gets a line every tenth of the way, not a bar's redraws)."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


@contextmanager
def cli_progress(label: str, expected: int, terminal: bool | None = None) -> Iterator[Callable[[int], None]]:
    """A `progress(rows)` callback for an exporter's build, shown as it goes."""
    if terminal is None:
        terminal = sys.stdout.isatty()
    if terminal:
        with click.progressbar(length=max(expected, 1), label=label, show_pos=True) as bar:
            yield bar.update
        return
    done = 0
    step = max(expected // 10, 1)
    next_line = step

    def report(rows: int) -> None:
        nonlocal done, next_line
        done += rows
        if done >= next_line:
            click.echo(f"{label}: {done:,} of {expected:,} rows written")
            next_line = (done // step + 1) * step

    click.echo(f"{label}: {expected:,} rows to write")
    yield report
    click.echo(f"{label}: done, {done:,} rows written")
