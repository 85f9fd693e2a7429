"""The worker takes a workbook, which someone is watching, ahead of mail already queued."""
import pytest

from learning.jobs import queue, tasks


def _redis_or_skip(url: str) -> str:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_a_workbook_is_taken_before_the_mail_queued_ahead_of_it(app, tmp_path, monkeypatch, store):
    import os

    where = (str(tmp_path / "jobs.db") if store == "sqlite"
             else _redis_or_skip(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")))
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    monkeypatch.setitem(app.config, "JOBS_QUEUE_NAME", f"learning-test-priority-{os.getpid()}")
    monkeypatch.setitem(app.config, "JOBS_URL" if store == "redis" else "JOBS_SQLITE", where)
    with app.app_context():
        huey = queue.configure(app)
        try:
            for _ in range(3):
                tasks.deliver_mail(b"To: pat@example.org\r\n\r\nHello")
            tasks.build_workbook(1)
            assert "build_workbook" in huey.dequeue().name
            assert "deliver_mail" in huey.dequeue().name
        finally:
            huey.storage.flush_queue()
    monkeypatch.undo()
    with app.app_context():
        queue.configure(app)  # back to running tasks at once, for the tests after this one
