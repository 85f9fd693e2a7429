"""`flask --app app backup --out FILE`: a consistent copy of the live SQLite database.

SQLite's online backup API copies the database page by page inside one read transaction,
so the copy is a snapshot of one moment even while workers keep writing (WAL mode lets
them). Copying the file with `cp` instead can catch it half-written, and misses whatever
is still in the -wal file.

PostgreSQL is backed up with its own tools (pg_dump / pg_restore, see docs/operations.md); this
command says so rather than pretending.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def pg_dump_advice(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    target = url.render_as_string(hide_password=True)
    return (
        "This database is PostgreSQL: back it up with PostgreSQL's own tools, not this command.\n"
        f"  pg_dump --format=custom --file=learning-$(date +%F).dump '{target}'\n"
        "Restore into an empty database with:\n"
        "  pg_restore --no-owner --dbname='postgresql://USER@HOST/NEW_DB' learning-YYYY-MM-DD.dump\n"
        "See 'Backups' in docs/operations.md."
    )


@dataclass(frozen=True)
class BackupReport:
    source: Path
    copy: Path
    size: int
    tables: dict[str, int]


def backup_sqlite(database_url: str, out: Path, overwrite: bool = False) -> BackupReport:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(pg_dump_advice(database_url) if url.get_backend_name() == "postgresql"
                          else f"Cannot back up a {url.get_backend_name()} database with this command.")
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    source = Path(url.database).resolve()
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    out = out.resolve()
    if out == source:
        raise BackupError("The backup cannot overwrite the database itself.")
    if out.exists() and not overwrite:
        raise BackupError(f"{out} already exists. Choose another name, or add --force to replace it.")
    out.parent.mkdir(parents=True, exist_ok=True)

    # Write beside the target and rename at the end, so a crash never leaves a file with
    # the backup's name that is not a whole backup.
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        # One self-contained file: the source is in WAL mode, and a copy left in WAL mode
        # would expect -wal and -shm files beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        problems = dst.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"The copy failed its integrity check: {problems[:5]}")
        names = [r[0] for r in dst.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        # The table names come from the copy's own sqlite_master, not from a person.
        tables = {name: dst.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608
    except BaseException:
        dst.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, out)
    return BackupReport(source=source, copy=out, size=out.stat().st_size, tables=tables)
