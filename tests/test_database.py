"""learning/database.py: Core statements on the session's connection."""
import pytest
from sqlalchemy import create_engine, func, insert, select

from learning import create_app
from learning.access import public
from learning.database import run, streamed
from learning.extensions import db
from learning.models import Agency


def test_a_core_statement_sees_orm_changes_not_yet_flushed(ctx):
    db.session.add(Agency(name="Pending Police", sector="police"))
    assert run(select(func.count()).select_from(Agency).where(Agency.name == "Pending Police")).scalar() == 1


def test_a_core_statement_runs_in_the_sessions_transaction(ctx):
    db.session.add(Agency(name="Rolled Back Police", sector="police"))
    run(select(func.count()).select_from(Agency))
    db.session.rollback()
    assert run(select(func.count()).select_from(Agency).where(Agency.name == "Rolled Back Police")).scalar() == 0


def test_a_streamed_read_that_fails_part_way_leaves_the_connection_able_to_write(ctx, people):
    for n in range(5):
        people.agency(f"Agency {n}")
    # The exception is kept, as a server keeps an exception it logged.
    with pytest.raises(RuntimeError) as failure, streamed(select(Agency.name).order_by(Agency.name), batch=1) as rows:
        for _ in rows:
            raise RuntimeError("an export failing half-way")
    db.session.rollback()
    # Another connection writes, then this one must write after it (on SQLite, a read left
    # running would pin this connection to a snapshot from before that write).
    elsewhere = create_engine(db.engine.url)  # not this app's pool: truly another connection
    with elsewhere.begin() as other:
        other.execute(insert(Agency).values(name="Written Elsewhere", sector="police"))
    elsewhere.dispose()
    db.session.add(Agency(name="Written Here", sector="police"))
    db.session.commit()
    assert failure.value is not None
    assert run(select(func.count()).select_from(Agency)).scalar() == 7


def test_a_request_that_fails_gives_up_its_connection(app):
    """Its own app (the same database), so its pages are never part of the suite's."""
    failing = create_app(testing=True, test_config={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    failing.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500, as in production
    used = []

    def count_agencies():
        run(select(func.count()).select_from(Agency))
        used.append(db.session.connection().connection.dbapi_connection)

    @failing.route("/fails-in-a-transaction")
    @public
    def fails():
        count_agencies()
        raise RuntimeError("a view failing in a transaction")

    @failing.route("/works")
    @public
    def works():
        count_agencies()
        return "ok"

    client = failing.test_client()
    assert client.get("/works").status_code == 200
    assert client.get("/works").status_code == 200
    assert used[0] is used[1], "a connection is used again after a request that worked"
    assert client.get("/fails-in-a-transaction").status_code == 500
    assert client.get("/works").status_code == 200
    assert used[3] is not used[2], "the next request has a new connection"
    with failing.app_context():
        db.engine.dispose()
