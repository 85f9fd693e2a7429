"""Engine settings per database, and running Core statements on the session's connection."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import Executable, Result, event

from .extensions import db


def run(statement: Executable, params: dict | None = None) -> Result:
    """Run a Core statement on the session's connection and transaction, for reports and
    exports that read plain rows (no ORM objects): rows come back as the database sent
    them, without the ORM's loading step. Pending ORM changes are flushed first, as the
    session's own `execute` would."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def configure_engine(app: Flask) -> None:
    """SQLite: WAL so readers never block the writer, a busy timeout so writers queue
    instead of failing, and foreign keys enforced (off by default in SQLite)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
