"""The app under gunicorn with several workers: a worker killed mid-submission loses
nothing, and sign-in throttling holds across workers when the counts live in Redis.

Each test starts its own server on its own database (tests/scratch.py: SQLite, or a
throwaway PostgreSQL schema when TEST_DATABASE_URL is set).
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.harness import PASSWORD, ROOT, AnswerKey, Browser, Server, answer_questions, migrate, seed_practitioners, start_module, submit
from tests.scratch import scratch_database

SLUG = "police-protection"


@pytest.fixture
def database(tmp_path):
    with scratch_database(tmp_path) as url:
        migrate(url)
        yield url


class HeldSubmission:
    """Make the next submission wait inside its database transaction, so a worker can be
    killed while it is truly in the middle of one.

    PostgreSQL: lock the completion table, so the submit claims the attempt (UPDATE, not yet
    committed) and then waits to write the completion. SQLite: hold the write lock, so the
    submit waits for it after reading the attempt (SQLite has one writer at a time)."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = make_url(url).get_backend_name() == "postgresql"

    def __enter__(self):
        if self.postgres:
            self.engine = create_engine(self.url)
            self.conn = self.engine.connect()
            self.conn.execute(text("LOCK TABLE completion IN SHARE ROW EXCLUSIVE MODE"))
        else:
            self.conn = sqlite3.connect(make_url(self.url).database, timeout=30)
            self.conn.execute("BEGIN IMMEDIATE")
        return self

    def submission_is_waiting(self) -> bool:
        if not self.postgres:
            return True  # nothing to observe from outside; the caller waits a moment instead
        # Any backend blocked by this connection's lock is the submission waiting to write
        # the completion. Not matched on its query text: the lock is taken while the INSERT
        # is parsed, when pg_stat_activity can still show the UPDATE before it.
        waiting = self.conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")).scalar()
        return waiting == 1

    def activity(self) -> list:
        """What the other sessions are doing, for a failure message."""
        if not self.postgres:
            return []
        return [tuple(row) for row in self.conn.execute(text(
            "SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid), left(query, 60) "
            "FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()"))]

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()
        if self.postgres:
            self.engine.dispose()


def _state(url: str, attempt_id: int) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            attempt = conn.execute(text("SELECT status, score FROM attempt WHERE id = :id"), {"id": attempt_id}).one()
            answers = conn.execute(text(
                "SELECT position, answer, is_correct FROM attempt_question WHERE attempt_id = :id "
                "AND answered_at IS NOT NULL ORDER BY position"), {"id": attempt_id}).all()
            completions = conn.execute(text("SELECT count(*) FROM completion WHERE attempt_id = :id"),
                                       {"id": attempt_id}).scalar()
    finally:
        engine.dispose()
    return {"status": attempt.status, "score": attempt.score, "answers": [tuple(map(str, a)) for a in answers],
            "completions": completions}


def test_a_worker_killed_mid_submission_leaves_the_attempt_intact_and_resumable(database, tmp_path):
    email = seed_practitioners(database, 1)[0]
    key = AnswerKey()
    with Server(database, workers=2, log=tmp_path / "gunicorn.log") as server:
        browser = Browser(server.base)
        assert browser.sign_in(email).status == 302
        attempt_id = start_module(browser, SLUG)
        check = answer_questions(browser, key, SLUG, attempt_id)
        before = _state(database, attempt_id)
        assert before["status"] == "in_progress" and len(before["answers"]) == 8

        outcome: dict = {}
        ports: list[int] = []
        browser.on_connect = ports.append

        def send_submit():
            try:
                outcome["response"] = submit(browser, check)
            except OSError as exc:  # the connection dies with the worker
                outcome["error"] = exc

        with HeldSubmission(database) as held:
            thread = threading.Thread(target=send_submit)
            thread.start()
            deadline = time.time() + 30  # generous: a CI machine can be slow
            while len(ports) < 2 or not held.submission_is_waiting():  # check page, then the submit
                assert time.time() < deadline, f"the submission never reached the database: {held.activity()}"
                time.sleep(0.05)
            time.sleep(0.5)  # SQLite: give the worker time to reach its write
            assert thread.is_alive(), "the submission finished before it could be interrupted"
            worker = server.worker_serving(ports[-1])
            assert worker is not None
            os.kill(worker, signal.SIGKILL)
            thread.join(timeout=10)
        assert "error" in outcome, outcome.get("response")

        after = _state(database, attempt_id)
        assert after == before, "the killed submission changed nothing: no half-written result"

        # The master replaces the worker; the learner carries on where they were.
        browser.on_connect = None
        deadline = time.time() + 30
        while len(server.worker_pids()) < 2 or worker in server.worker_pids():
            assert time.time() < deadline
            time.sleep(0.1)
        module_page = browser.get(f"/modules/{SLUG}").body
        assert "Continue your attempt" in module_page
        result = submit(browser, check)
        assert result.status == 302 and result.location.endswith(f"/attempts/{attempt_id}/result")
        assert "You passed" in browser.get(result.location).body
        final = _state(database, attempt_id)
        assert final["status"] == "submitted" and final["completions"] == 1
        assert final["answers"] == before["answers"]


def _redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


def test_throttling_holds_across_workers_with_redis(database, tmp_path):
    url = _redis_url()
    if url is None:
        pytest.skip("Redis is not reachable (set TEST_REDIS_URL)")
    import redis

    prefix = f"learning-test-{secrets.token_hex(4)}"
    email = seed_practitioners(database, 1)[0]
    env = {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix}
    client = redis.Redis.from_url(url)
    try:
        with Server(database, workers=2, env=env, log=tmp_path / "gunicorn.log") as server:
            for _ in range(10):  # each from a new browser, taken by whichever worker is free
                browser = Browser(server.base)
                page = browser.get("/sign-in")
                response = browser.post("/sign-in", {"csrf_token": page.csrf(), "email": email, "password": "wrong guess"})
                assert response.status == 200
            assert any(prefix in key.decode() for key in client.scan_iter(match=f"*{prefix}*"))
            browser = Browser(server.base)
            page = browser.get("/sign-in")
            refused = browser.post("/sign-in", {"csrf_token": page.csrf(), "email": email,
                                                "password": PASSWORD})
            assert refused.status == 429, "the 11th try is refused whichever worker takes it"
    finally:
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)


def _seed_export_fault(url: str, people: int) -> str:
    """`people` practitioners in the load-test agency, the first (by name) the one the
    failing export app stops at, and an agency lead for that agency; the lead's email."""
    from tests.failing_export_app import BREAKS

    emails = seed_practitioners(url, people)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE \"user\" SET name = :name WHERE email = :email"),
                         {"name": BREAKS, "email": emails[0]})
            conn.execute(text("UPDATE \"user\" SET role = 'agency_lead' WHERE email = :email"), {"email": emails[1]})
    finally:
        engine.dispose()
    return emails[1]


def test_an_export_failing_half_way_leaves_every_worker_able_to_write(database, tmp_path):
    """Many more staff-matrix rows than one fetched batch, so the failure comes while the
    export's query still has rows to give."""
    lead = _seed_export_fault(database, 400)
    with Server(database, workers=2, log=tmp_path / "gunicorn.log", target="tests.failing_export_app:app") as server:
        workers = {str(pid) for pid in server.worker_pids()}
        browser = Browser(server.base)
        assert browser.sign_in(lead).status == 302
        failed_in: set[str] = set()
        # Each request comes on a new connection, taken by whichever worker is free: two at
        # once, so a worker busy with one leaves the other to the other worker; ask until the
        # export has failed in both (bounded, for a busy machine).
        with ThreadPoolExecutor(max_workers=2) as pool:
            for _ in range(100):
                for response in pool.map(lambda _: browser.get("/dashboard/compliance.xlsx"), range(2)):
                    assert response.status == 500
                    failed_in.add(response.headers["X-Worker"])
                if failed_in == workers:
                    break
        assert failed_in == workers, "the export failed in every worker"

        def sign_in_and_start(_) -> list[str]:
            person = Browser(server.base)
            signed_in = person.sign_in(lead)
            assert signed_in.status == 302, "sign-in writes (the audit trail) through either worker"
            page = person.get(f"/modules/{SLUG}")
            started = person.post(f"/modules/{SLUG}/start", {"csrf_token": page.csrf()})
            assert started.status == 302 and "/attempts/" in started.location
            return [signed_in.headers["X-Worker"], started.headers["X-Worker"]]

        # Four people at once, so both workers take requests (one after another, a worker
        # that is free first may take them all).
        writes: Counter[str] = Counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(50):
                for served in pool.map(sign_in_and_start, range(4)):
                    writes.update(served)
                if len(writes) == len(workers) and min(writes.values()) >= 5:
                    break
        assert set(writes) == workers and min(writes.values()) >= 5, f"both workers wrote: {writes}"
    assert "database is locked" not in (tmp_path / "gunicorn.log").read_text()


def test_the_servers_run_with_the_settings_in_gunicorn_conf():
    printed = subprocess.run([*Server("sqlite://").command(), "--print-config"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, re.M))
    assert {name: settings[name] for name in ("timeout", "graceful_timeout", "max_requests", "max_requests_jitter",
                                              "limit_request_line")} == {
        "timeout": "30", "graceful_timeout": "60", "max_requests": "10000", "max_requests_jitter": "1000",
        "limit_request_line": "4094"}
