"""Fixtures in the style of the Flask tutorial: app, client, runner, plus people.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(the database it names is wiped). The schema is built by the real migrations, once per run.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, text

from learning import create_app
from learning.content.catalogue import sync_modules
from learning.extensions import db, limiter
from learning.models import Agency, Module, Requirement, Role, Sector, User

PASSWORD = "correct horse battery staple"


def _reset_database(app) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.engine.dispose()
            path = Path(engine.url.database)
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Tests hold an app context open to use the database; without this, Flask would reuse
    it for requests, sharing `g` (and so the signed-in user) between two browsers."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    overrides = {}
    if not os.environ.get("TEST_DATABASE_URL"):
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(testing=True, test_config=overrides)
    app.test_client_class = IsolatedClient
    _reset_database(app)
    with app.app_context():
        upgrade()
        sync_modules(app.extensions["catalogue"])
    return app


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Each test starts with only the module rows, the default required learning (every
    module for every sector) and no sign-in failures counted; everything else is deleted
    after it."""
    yield
    limiter.reset()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name != "module":
                    conn.execute(table.delete())
            module_ids = conn.execute(select(Module.id)).scalars().all()
            conn.execute(Requirement.__table__.insert(), [
                {"module_id": m, "sector": s.value} for m in module_ids for s in Sector
            ])


class Mailbox:
    """The .eml files the app wrote to this test's outbox (no MAIL_SERVER in tests)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self, to: str | None = None) -> list:
        from email import policy
        from email.parser import BytesParser

        if not self.folder.is_dir():
            return []
        found = [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
                 for path in sorted(self.folder.glob("*.eml"))]
        return [m for m in found if to is None or m["To"] == to]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def links(self, to: str, path: str) -> list[str]:
        """Every link to `path` (like "/password/reset/") in the plain text sent to `to`,
        as a path the test client can open."""
        return [m for message in self.messages(to)
                for m in re.findall(rf"https?://[^/\s]+({re.escape(path)}\S+)", self.text(message))]


@pytest.fixture(autouse=True)
def mailbox(app, tmp_path, monkeypatch) -> Mailbox:
    """Every test writes any outbox files to its own folder, never to instance/."""
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(folder))
    return Mailbox(folder)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


class People:
    """Makes agencies and accounts for a test."""

    def __init__(self):
        self._agencies: dict[str, Agency] = {}

    def agency(self, name: str = "Test Police", sector: Sector = Sector.POLICE) -> Agency:
        if name not in self._agencies:
            agency = Agency(name=name, sector=sector.value)
            db.session.add(agency)
            db.session.commit()
            self._agencies[name] = agency
        return self._agencies[name]

    def user(self, email: str = "pat@example.org", role: Role = Role.PRACTITIONER, agency: str = "Test Police",
             name: str | None = None) -> User:
        user = User(email=email.lower(), name=name or email.split("@")[0].title(), role=Role(role).value,
                    agency_id=self.agency(agency).id)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user


@pytest.fixture
def people(ctx):
    return People()


def sign_in(client, user_or_email, password: str = PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    return client.post("/sign-in", data={"email": email, "password": password})


def option_values(html: str) -> list[str]:
    """The values of the answer inputs on a question page, in the order shown."""
    return [m for m in re.findall(r'<input[^>]*name="answer"[^>]*value="([^"]+)"', html)]


def module_row(slug: str) -> Module:
    return db.session.query(Module).filter_by(slug=slug).one()


class Records:
    """Writes completions and attempts directly, for report tests."""

    def completion(self, user: User, slug: str, completed_at, expires_at=None, revoked=False, score=100):
        from learning.compliance.status import add_months
        from learning.learner.attempts import certificate_code
        from learning.models import Completion

        module = module_row(slug)
        row = Completion(user_id=user.id, module_id=module.id, completed_at=completed_at,
                         expires_at=expires_at or add_months(completed_at, module.validity_months),
                         module_version=module.version, score=score, source="e-learning",
                         certificate_code=certificate_code(), revoked_at=completed_at if revoked else None)
        db.session.add(row)
        db.session.commit()
        return row

    def open_attempt(self, user: User, slug: str):
        from learning.models import Attempt

        module = module_row(slug)
        row = Attempt(user_id=user.id, module_id=module.id, module_version=module.version, total=8, path=[])
        db.session.add(row)
        db.session.commit()
        return row

    def failed_attempt(self, user: User, slug: str):
        """A submitted attempt below the pass mark (no completion, as submit would make none)."""
        from learning.models import Attempt, AttemptStatus, utcnow

        module = module_row(slug)
        row = Attempt(user_id=user.id, module_id=module.id, module_version=module.version, total=8, path=[],
                      status=AttemptStatus.SUBMITTED.value, score=2, passed=False, submitted_at=utcnow())
        db.session.add(row)
        db.session.commit()
        return row


@pytest.fixture
def records(ctx):
    return Records()


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside the `with` block: `with count_queries() as n: ...; n()`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counter():
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter
