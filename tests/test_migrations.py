"""The migrations build exactly the schema the models describe, carry real data from the
first migration to the latest, and run down to nothing and back up again.

The data tests run on a database of their own (tests/scratch.py): a temporary SQLite file,
or a throwaway schema in the PostgreSQL database when TEST_DATABASE_URL is set.

They are written against the FIRST migration's schema, which never changes, so they keep
working as migrations are added. A migration that renames or drops one of these columns
must update BASE_ROWS and say where the data went. Columns added later with a default are
listed in ADDED_DEFAULTS.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, inspect, select
from werkzeug.security import generate_password_hash

from learning import create_app
from learning.extensions import db, in_the_models
from learning.models import Attempt, Completion, User
from tests.scratch import scratch_database

T0 = datetime(2026, 1, 5, 9, 30)
OLD_HASH = generate_password_hash("a password set long ago")

# Rows for the first migration's tables, in insert order (parents first).
BASE_ROWS: dict[str, list[dict]] = {
    "agency": [{"id": 1, "name": "Northbrook Police", "sector": "police", "active": True},
               {"id": 2, "name": "Closed Agency", "sector": "other", "active": False}],
    "team": [{"id": 1, "agency_id": 1, "name": "Response"}],
    "user": [{"id": 1, "email": "pat@example.org", "name": "Pat Fielding", "password_hash": OLD_HASH,
              "role": "practitioner", "agency_id": 1, "team_id": 1, "job_title": "Constable", "active": True,
              "created_at": T0},
             {"id": 2, "email": "adi@example.org", "name": "Adi Shah", "password_hash": None, "role": "admin",
              "agency_id": None, "team_id": None, "job_title": None, "active": True, "created_at": T0}],
    "module": [{"id": 1, "slug": "police-protection", "title": "Police protection", "version": 1,
                "validity_months": 36, "pass_mark": 80}],
    "attempt": [{"id": 1, "user_id": 1, "module_id": 1, "module_version": 1, "status": "submitted",
                 "started_at": T0, "submitted_at": T0, "score": 2, "total": 2, "passed": True,
                 "path": ["on-the-ward", "liam-arrives"]},
                {"id": 2, "user_id": 1, "module_id": 1, "module_version": 1, "status": "in_progress",
                 "started_at": T0, "submitted_at": None, "score": None, "total": 2, "passed": None,
                 "path": ["on-the-ward"]}],
    "attempt_question": [
        {"id": 1, "attempt_id": 1, "position": 1, "question_id": "q1", "option_order": ["b", "a", "c"],
         "answer": ["a"], "is_correct": True, "answered_at": T0},
        {"id": 2, "attempt_id": 1, "position": 2, "question_id": "q2", "option_order": ["true", "false"],
         "answer": ["true"], "is_correct": True, "answered_at": T0},
        {"id": 3, "attempt_id": 2, "position": 1, "question_id": "q1", "option_order": ["c", "b", "a"],
         "answer": None, "is_correct": None, "answered_at": None},
    ],
    "completion": [{"id": 1, "user_id": 1, "module_id": 1, "attempt_id": 1, "completed_at": T0,
                    "expires_at": datetime(2029, 1, 5, 9, 30), "module_version": 1, "score": 100,
                    "source": "e-learning", "certificate_code": "ABCD-EFGH", "revoked_at": None},
                   {"id": 2, "user_id": 1, "module_id": 1, "attempt_id": None, "completed_at": T0,
                    "expires_at": datetime(2027, 1, 5), "module_version": 1, "score": None,
                    "source": "course", "certificate_code": "WXYZ-1234", "revoked_at": T0}],
    "audit_event": [{"id": 1, "at": T0, "actor_id": 2, "actor_email": "adi@example.org", "action": "sign_in",
                     "detail": "", "ip": "10.0.0.1"}],
}

# Columns added by later migrations to rows that already existed: (table, column) -> value.
ADDED_DEFAULTS = {("user", "session_epoch"): 0}


@pytest.fixture
def scratch_app(tmp_path):
    with scratch_database(tmp_path) as url:
        app = create_app(testing=True, test_config={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def _script(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def _app_tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _schema_diff():
    with db.engine.connect() as conn:
        options = {"include_object": in_the_models}
        return compare_metadata(MigrationContext.configure(conn, opts=options), db.metadata)


def test_the_models_and_the_migrations_agree(app, ctx):
    assert _schema_diff() == []


def test_there_is_one_line_of_migrations(app, ctx):
    """Two heads (two branches each adding a migration) must be merged before release."""
    assert len(_script(app).get_heads()) == 1, _script(app).get_heads()


def test_data_written_at_the_first_migration_survives_upgrading_to_the_latest(scratch_app):
    script = _script(scratch_app)
    first = script.get_base()
    upgrade(revision=first)
    assert _current_revision() == first

    base = MetaData()
    base.reflect(bind=db.engine)
    assert set(BASE_ROWS) == _app_tables(), "BASE_ROWS covers every table of the first migration"
    with db.engine.begin() as conn:
        for table, rows in BASE_ROWS.items():
            conn.execute(base.tables[table].insert(), rows)

    upgrade()
    assert _current_revision() == script.get_current_head()

    head = MetaData()
    head.reflect(bind=db.engine)
    with db.engine.connect() as conn:
        for table, rows in BASE_ROWS.items():
            columns = [head.tables[table].c[name] for name in rows[0]]
            stored = conn.execute(select(*columns).order_by(head.tables[table].c.id)).mappings().all()
            assert [dict(r) for r in stored] == rows, table
        for (table, column), value in ADDED_DEFAULTS.items():
            values = conn.execute(select(head.tables[table].c[column])).scalars().all()
            assert values and set(values) == {value}, (table, column)

    if db.engine.dialect.name == "sqlite":  # migrating switched enforcement off; it is back on
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

    # And the models read it: relationships, JSON and the partial unique index's rows.
    assert _schema_diff() == []
    attempt = db.session.get(Attempt, 1)
    assert attempt.user.email == "pat@example.org" and attempt.questions[0].option_order == ["b", "a", "c"]
    assert db.session.get(Completion, 2).revoked_at == T0
    assert db.session.get(User, 1).check_password("a password set long ago")


def test_downgrade_to_nothing_and_upgrade_again(scratch_app):
    script = _script(scratch_app)
    upgrade()
    revisions = [r.revision for r in script.walk_revisions()]  # newest first
    for expected in revisions[1:]:  # one step at a time, so every downgrade() runs
        downgrade(revision="-1")
        assert _current_revision() == expected
    downgrade(revision="base")
    assert _current_revision() is None and _app_tables() == set()
    upgrade()
    assert _current_revision() == script.get_current_head()
    assert _schema_diff() == []


def test_the_text_migration_cleans_stored_names_titles_and_venues(scratch_app):
    from learning.text import clean

    upgrade(revision="e75f007af358")
    meta = MetaData()
    meta.reflect(bind=db.engine)
    t = meta.tables
    bad, decomposed = "\ufffe\x0b\uffff", "Zoe\u0308"
    with db.engine.begin() as conn:
        conn.execute(t["agency"].insert(), [
            {"id": 1, "name": f"North{bad} Police", "sector": "police", "active": True},
            {"id": 2, "name": "North Police", "sector": "police", "active": True}])
        conn.execute(t["team"].insert(), [{"id": 1, "agency_id": 1, "name": f"Front{bad} Door"}])
        conn.execute(t["user"].insert(), [{"id": 1, "email": "zoe@example.org", "name": f"{decomposed}{bad} Okafor",
                                           "role": "practitioner", "agency_id": 1, "team_id": 1,
                                           "job_title": f"Social{bad} worker", "active": True, "created_at": T0,
                                           "session_epoch": 0}])
        conn.execute(t["course"].insert(), [{"id": 1, "title": f"Neglect{bad}", "description": f"A{bad} day",
                                             "validity_months": 24, "created_at": T0}])
        conn.execute(t["course_session"].insert(), [{"id": 1, "course_id": 1, "starts_at": T0, "ends_at": T0,
                                                     "venue": f"Hall{bad} 2", "online": False, "capacity": 5,
                                                     "trainer": f"Ada{bad}"}])
        conn.execute(t["external_record"].insert(), [{"id": 1, "user_id": 1, "title": f"Course{bad}",
                                                      "provider": f"Provider{bad}", "completed_on": T0.date(),
                                                      "evidence_note": f"Note{bad}", "status": "pending",
                                                      "review_note": "", "created_at": T0}])
    upgrade()
    with db.engine.connect() as conn:
        user = conn.execute(select(t["user"])).mappings().one()
        assert user["name"] == "Zoë Okafor" and user["job_title"] == "Social worker"
        assert conn.execute(select(t["team"].c.name)).scalar() == "Front Door"
        assert conn.execute(select(t["course"].c.title, t["course"].c.description)).one() == ("Neglect", "A day")
        assert conn.execute(select(t["course_session"].c.venue, t["course_session"].c.trainer)).one() == ("Hall 2", "Ada")
        record = conn.execute(select(t["external_record"])).mappings().one()
        assert (record["title"], record["provider"], record["evidence_note"]) == ("Course", "Provider", "Note")
        names = conn.execute(select(t["agency"].c.name).order_by(t["agency"].c.id)).scalars().all()
    # "North Police" was taken: the first agency keeps a visible mark instead of merging into it.
    assert names == ["North\ufffd\ufffd\ufffd Police", "North Police"]
    assert all(clean(n) == n for n in names)


def test_the_migration_moves_stored_local_times_to_utc_and_back(scratch_app):
    upgrade(revision="c3a7e1f0d2b4")
    meta = MetaData()
    meta.reflect(bind=db.engine)
    course, sessions = meta.tables["course"], meta.tables["course_session"]
    summer, winter = datetime(2026, 7, 14, 9, 30), datetime(2026, 1, 5, 9, 30)
    with db.engine.begin() as conn:
        conn.execute(course.insert(), [{"id": 1, "title": "Neglect", "description": "", "validity_months": 24,
                                        "created_at": winter, "active": True}])
        conn.execute(sessions.insert(), [
            {"id": n, "course_id": 1, "starts_at": moment, "ends_at": moment + timedelta(hours=3), "venue": "Hall",
             "online": False, "capacity": 5, "trainer": "", "version": 1, "cancel_reason": ""}
            for n, moment in ((1, summer), (2, winter))])

    def stored():
        with db.engine.connect() as conn:
            return conn.execute(select(sessions.c.starts_at, sessions.c.ends_at).order_by(sessions.c.id)).all()

    upgrade(revision="b7d2e9a41c63")
    assert stored() == [(datetime(2026, 7, 14, 8, 30), datetime(2026, 7, 14, 11, 30)),
                        (winter, winter + timedelta(hours=3))]
    downgrade(revision="c3a7e1f0d2b4")
    assert stored() == [(summer, summer + timedelta(hours=3)), (winter, winter + timedelta(hours=3))]
    upgrade()
