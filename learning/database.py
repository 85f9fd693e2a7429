"""Engine settings per database."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from .extensions import db


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
