"""`flask backup`: a consistent online copy of SQLite; PostgreSQL is pointed at pg_dump."""
import sqlite3
import threading
from pathlib import Path

import pytest

from learning.backup import BackupError, backup_sqlite, pg_dump_advice
from learning.extensions import db


def _rows(path: Path, sql: str):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def sqlite_app(app, ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the suite is running on PostgreSQL")
    return app


def test_backup_copies_the_database_into_one_self_contained_file(sqlite_app, runner, people, tmp_path):
    people.user()
    out = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output and "1 user" in result.output
    assert _rows(out, "SELECT email FROM user") == [("pat@example.org",)]
    assert _rows(out, "PRAGMA journal_mode") == [("delete",)]
    assert not Path(str(out) + "-wal").exists() and not list(tmp_path.glob("*.partial"))


def test_backup_is_a_snapshot_while_others_write(tmp_path):
    """An open write transaction is left out whole; a stream of commits during the copy
    leaves a copy that is complete up to some commit, never half of one. (Its own SQLite
    file, so this runs whichever database the suite uses.)"""
    source = tmp_path / "live.db"
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE agency (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("CREATE TABLE team (id INTEGER PRIMARY KEY, agency_id INTEGER, name TEXT)")
        conn.execute("INSERT INTO agency (name) VALUES ('Before')")
    writer = sqlite3.connect(source, timeout=30)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO agency (name) VALUES ('Uncommitted')")
    try:
        report = backup_sqlite(f"sqlite:///{source}", tmp_path / "during.db")
    finally:
        writer.rollback()
        writer.close()
    assert _rows(report.copy, "SELECT name FROM agency") == [("Before",)]

    stop = threading.Event()
    written = []

    def keep_writing():
        conn = sqlite3.connect(source, timeout=30)
        while not stop.is_set():
            with conn:  # each agency and its team are one transaction
                conn.execute("INSERT INTO agency (name) VALUES ('A')")
                conn.execute("INSERT INTO team (agency_id, name) VALUES (last_insert_rowid(), 'T')")
            written.append(1)
        conn.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        copies = [backup_sqlite(f"sqlite:///{source}", tmp_path / f"busy{n}.db") for n in range(5)]
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        assert _rows(copy.copy, "PRAGMA integrity_check") == [("ok",)]
        assert copy.tables["agency"] - 1 == copy.tables["team"], "whole commits only"
    assert min(c.tables["team"] for c in copies) < len(written), "the copies were taken while commits went on"


def test_backup_will_not_overwrite_without_force(sqlite_app, runner, tmp_path):
    out = tmp_path / "copy.db"
    out.write_text("an older backup")
    refused = runner.invoke(args=["backup", "--out", str(out)])
    assert refused.exit_code != 0 and "already exists" in refused.output
    assert out.read_text() == "an older backup"
    assert runner.invoke(args=["backup", "--out", str(out), "--force"]).exit_code == 0
    assert _rows(out, "PRAGMA integrity_check") == [("ok",)]


def test_on_postgresql_the_command_refuses_and_gives_the_pg_dump_commands(app, ctx, runner, tmp_path):
    advice = pg_dump_advice("postgresql+psycopg://learn:s3cret@db.internal:5432/learning")
    assert "pg_dump --format=custom" in advice and "pg_restore" in advice
    assert "postgresql://learn:***@db.internal:5432/learning" in advice and "s3cret" not in advice
    with pytest.raises(BackupError, match="PostgreSQL"):
        backup_sqlite("postgresql+psycopg://learn@db.internal/learning", tmp_path / "x.db")
    if db.engine.dialect.name == "postgresql":  # the suite's own database: the real command
        result = runner.invoke(args=["backup", "--out", str(tmp_path / "x.db")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        assert not (tmp_path / "x.db").exists()
