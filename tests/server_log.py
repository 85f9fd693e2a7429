"""Tracebacks in a served app's log, for tests that serve the app (tests/browser's live
server): an error the browser only sees as a 500 page, or one in a request nobody looked
at (an image, a download), still fails the suite."""
from __future__ import annotations

import logging

from flask import current_app, has_app_context

# Flask logs an unhandled exception in a view on the app's logger; the development server
# logs one that escapes the app (middleware, a broken response) on "werkzeug".
LOGGERS = ("werkzeug",)


class TracebackCatcher(logging.Handler):
    """Keeps every record that carries a traceback or is an error."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.app = None

    def emit(self, record: logging.LogRecord) -> None:
        # Every app of the process logs on the same "learning" logger: keep only what the
        # served app logs (another app's deliberate failure in a test is not the server's).
        if self.app is not None and has_app_context() and current_app._get_current_object() is not self.app:
            return
        self.records.append(record)

    def take(self) -> list[str]:
        """The tracebacks caught since the last call, formatted; and forget them."""
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        caught, self.records = self.records, []
        return [formatter.format(record) for record in caught]

    def attach(self, app) -> TracebackCatcher:
        self.app = app
        for logger in (app.logger, *(logging.getLogger(name) for name in LOGGERS)):
            logger.addHandler(self)
        return self

    def detach(self, app) -> None:
        for logger in (app.logger, *(logging.getLogger(name) for name in LOGGERS)):
            logger.removeHandler(self)
