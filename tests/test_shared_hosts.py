"""Two hosts, one database: two apps with instance folders of their own share one
PostgreSQL database (FILE_STORE=database) and one Redis queue. A staff import previewed
through the first is confirmed through the second; a workbook built by a worker beside the
second is downloaded through the first.

Needs PostgreSQL: TEST_DATABASE_URL (or TEST_POSTGRES_URL) naming a PostgreSQL database, in
which it makes a throwaway schema. Redis from TEST_REDIS_URL (default the local one); if
Redis cannot be reached the two apps share an SQLite queue file instead."""
from __future__ import annotations

import io
import os
import secrets
import signal
import time

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from learning import create_app
from learning.jobs.models import Job, JobStatus
from learning.jobs.queue import bind, configure, huey
from tests.conftest import PASSWORD, IsolatedClient

POSTGRES = next((url for url in (os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_POSTGRES_URL"))
                 if url and url.startswith("postgresql")), None)
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

pytestmark = pytest.mark.skipif(POSTGRES is None, reason="needs PostgreSQL: set TEST_DATABASE_URL or TEST_POSTGRES_URL "
                                                         "to a PostgreSQL database (a throwaway schema is made in it)")


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        return False


@pytest.fixture
def shared(tmp_path, app):
    """The URL of an empty schema in the PostgreSQL database, and the queue both apps use."""
    schema = f"hosts_{secrets.token_hex(4)}"
    engine = create_engine(POSTGRES)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    queue = REDIS if _redis_reachable() else ""
    name = f"test-hosts-{secrets.token_hex(4)}"
    yield url, queue, name, tmp_path
    if queue:
        huey.storage.flush_all()
    configure(app)  # the suite's own app's queue again (immediate)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _host(folder, url: str, queue: str, name: str, shared_sqlite):
    app = create_app(testing=True, instance_path=str(folder), test_config={
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "one secret for every host", "FILE_STORE": "database",
        "JOBS_IMMEDIATE": False, "JOBS_URL": queue, "JOBS_SQLITE": str(shared_sqlite), "JOBS_QUEUE_NAME": name,
        "LARGE_EXPORT_STAFF": 1, "OUTBOX_DIR": str(folder / "outbox")})
    app.test_client_class = IsolatedClient
    return app


def test_an_import_and_a_workbook_cross_from_one_host_to_the_other(shared):
    from flask_migrate import upgrade

    from learning.content.catalogue import sync_modules
    from learning.extensions import db
    from learning.models import Agency, Role, User

    url, queue, name, tmp = shared
    one = _host(tmp / "one", url, queue, name, tmp / "jobs.db")
    two = _host(tmp / "two", url, queue, name, tmp / "jobs.db")
    assert one.config["STAFF_IMPORT_DIR"] != two.config["STAFF_IMPORT_DIR"]
    with one.app_context():
        upgrade()
        sync_modules(one.extensions["catalogue"])
        agency = Agency(name="Test Police", sector="police")
        db.session.add(agency)
        db.session.commit()
        cora = User(email="cora@example.org", name="Cora", role=Role.COORDINATOR.value, agency_id=agency.id)
        cora.set_password(PASSWORD)
        db.session.add(cora)
        db.session.commit()

    first, second = one.test_client(), two.test_client()
    for client in (first, second):
        assert client.post("/sign-in", data={"email": "cora@example.org", "password": PASSWORD}).status_code == 302

    # An import previewed through the first host is confirmed through the second.
    uploaded = first.post("/import-staff", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"name,email,agency\r\nNew Person,new@example.org,Test Police\r\n"), "staff.csv")})
    token = uploaded.location.rsplit("/", 1)[1]
    assert second.get(f"/import-staff/{token}").status_code == 200
    done = second.post(f"/import-staff/{token}")
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    with two.app_context():
        assert db.session.scalar(select(User.name).where(User.email == "new@example.org")) == "New Person"

    # A workbook asked for through the first host is built by a worker beside the second...
    asked = first.get("/dashboard/compliance.xlsx")
    assert asked.location.startswith("/jobs/")
    job_id = int(asked.location.rsplit("/", 1)[1])
    assert first.get(f"/jobs/{job_id}/status").get_json()["status"] == "queued"
    from learning.jobs import periodic, tasks  # noqa: F401 - the worker's tasks

    bind(two)
    consumer = huey.create_consumer(workers=1, periodic=False, worker_type="thread")
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()  # sets the worker's signal handlers: this process's are put back below
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and first.get(f"/jobs/{job_id}/status").get_json()["status"] != "done":
            time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    # ... and downloaded through the first, from the shared store (no host's folder has it).
    with one.app_context():
        assert db.session.get(Job, job_id).status == JobStatus.DONE.value
    response = first.get(f"/jobs/{job_id}/download")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    from openpyxl import load_workbook

    names = [row[0] for row in load_workbook(io.BytesIO(response.data))["Staff matrix"].iter_rows(min_row=2, values_only=True)]
    assert "New Person" in names
    assert not (tmp / "one" / "workbooks").exists() and not (tmp / "two" / "workbooks").exists()
    assert not (tmp / "one" / "uploads").exists() and not (tmp / "two" / "uploads").exists()
    for host in (one, two):
        with host.app_context():
            db.engine.dispose()
