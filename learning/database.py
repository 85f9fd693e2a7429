"""Engine settings per database, running Core statements on the session's connection, and
making sure database work always ends: streamed reads are closed however their loop ends,
and the connection of a request that failed is closed rather than used again."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Executable, Result, Select, event

from learning.extensions import db


def run(statement: Executable, params: dict | None = None) -> Result:
    """Run a Core statement on the session's connection and transaction, for reports and
    exports that read plain rows (no ORM objects): rows come back as the database sent
    them, without the ORM's loading step. Pending ORM changes are flushed first, as the
    session's own `execute` would."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


@contextmanager
def streamed(query: Select, batch: int) -> Iterator[Result]:
    """Rows of `query` fetched `batch` at a time (a server-side cursor on PostgreSQL), for
    exports that write rows as they arrive. Always use it in a `with`: the result is closed
    however the loop ends. A result left open by a failure keeps its statement running,
    and on SQLite a running statement holds a read transaction on the connection after
    the request ends (nothing frees the result while the exception that ended the loop
    is still referenced), so the next write through that connection finds its snapshot
    stale and fails with "database is locked"."""
    result = run(query.execution_options(yield_per=batch))
    try:
        yield result
    finally:
        result.close()


def close_connection_after_failure(app: Flask) -> None:
    """A request that ended in an exception gives up its connection instead of returning it
    to the pool: whatever it left unfinished (a result still open somewhere, a transaction
    in an unknown state) ends with the connection, and the next request gets a fresh one.
    Registered after Flask-SQLAlchemy, so it runs before the session is removed."""

    @app.teardown_appcontext
    def _close_after_failure(exc: BaseException | None) -> None:
        if exc is None:
            return
        session = db.session()
        if session.in_transaction():
            session.connection().invalidate()


def configure_engine(app: Flask) -> None:
    """SQLite: WAL so readers never block the writer, a busy timeout so writers queue
    instead of failing, and foreign keys enforced (off by default in SQLite).
    PostgreSQL: no parallel query workers (see `_no_parallel_workers`)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _no_parallel_workers)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _no_parallel_workers(dbapi_connection, _record) -> None:
    """The service's statements start no parallel workers: its pages read a page of rows by
    an index, where starting a worker process costs more than the scan it would share, and
    the counts that read everyone run in the job queue's worker, where nobody waits. Set per
    connection (not in the URL's options, which a deployment may use for its own settings)."""
    dbapi_connection.execute("SET max_parallel_workers_per_gather = 0")
    dbapi_connection.commit()
