"""Engine settings per database, and running Core statements on the session's connection."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import Executable, Result, event

from .extensions import db


def run(statement: Executable, params: dict | None = None) -> Result:
    """Run a Core statement (plain rows, no entities) on the session's connection and
    transaction. The session's own `execute` goes through the ORM's statement handling
    first, which cost about as much again as SQLite took to answer the small statements
    of a dashboard page. Pending ORM changes are flushed first, as `execute` would."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def run_unflushed(statement: Executable, params: dict | None = None) -> Result:
    """`run` without the flush, for statements that run before the request has changed
    any ORM object (loading the signed-in person or an attempt, recording an answer,
    streaming an export): they are on every request, and a flush looks over the whole
    session to find it has nothing to do."""
    return db.session.connection().execute(statement, params)


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
