"""The queue itself: emails go through it in production (retried when the mail server
fails), and a worker process takes jobs from an SQLite queue in instance/."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from learning import mail
from learning.jobs.queue import configure, huey

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def queued(app, tmp_path, monkeypatch):
    """The app with a real queue (an SQLite file of this test's), as in production."""
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    monkeypatch.setitem(app.config, "JOBS_SQLITE", str(tmp_path / "jobs.db"))
    configure(app)
    yield huey
    app.config["JOBS_IMMEDIATE"] = True
    configure(app)


def run_next(queue) -> None:
    task = queue.dequeue()
    assert task is not None, "a task is waiting"
    queue.execute(task)


def test_in_production_an_email_is_queued_and_the_worker_sends_it(ctx, app, queued, mailbox):
    messages = [mail.new_message(f"p{i}@example.org", "Session cancelled", "Sorry.") for i in range(3)]
    assert mail.send(messages) == 3
    assert mailbox.messages() == [], "the page did not wait on the mail server"
    assert queued.pending_count() == 3
    for _ in range(3):
        run_next(queued)
    assert sorted(m["To"] for m in mailbox.messages()) == ["p0@example.org", "p1@example.org", "p2@example.org"]


def test_a_failed_send_is_logged_and_tried_again(ctx, app, queued, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    mail.send([mail.new_message("pat@example.org", "Booking confirmed", "See you there.")])
    with caplog.at_level(logging.ERROR):
        run_next(queued)
    assert any("mail to pat@example.org not sent: will try again" in r.getMessage() for r in caplog.records)
    assert queued.scheduled_count() == 1, "the retry waits its delay in the schedule"
    retry = queued.scheduled()[0]
    assert retry.retries == 4


def test_in_tests_email_goes_at_once_as_before(ctx, mailbox):
    assert mail.send([mail.new_message("pat@example.org", "Hello", "Hello.")]) == 1
    assert [m["To"] for m in mailbox.messages()] == ["pat@example.org"]


def test_the_worker_command_runs_a_consumer_until_stopped(tmp_path):
    """`flask --app app worker` on an SQLite queue: it starts, says where, and stops on SIGINT."""
    env = {**os.environ, "JOBS_SQLITE": str(tmp_path / "jobs.db"), "JOBS_IMMEDIATE": "0",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    env.pop("JOBS_URL", None)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "--workers", "1"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        first = worker.stdout.readline()
        while "Worker for queue" not in first and time.monotonic() < deadline:
            first = worker.stdout.readline()
        assert f"Worker for queue 'learning' on {tmp_path / 'jobs.db'}" in first
        time.sleep(1)
        worker.send_signal(2)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()


def test_a_misspelt_file_store_stops_the_app_starting():
    from learning import create_app

    with pytest.raises(ValueError, match="FILE_STORE must be folder or database"):
        create_app(testing=True, test_config={"FILE_STORE": "databse"})


def test_the_worker_keeps_the_daily_snapshot_and_sends_the_daily_emails(app, people, records, mailbox):
    from datetime import timedelta

    from sqlalchemy import func, select

    from learning.extensions import db
    from learning.jobs.periodic import daily_emails, daily_snapshot
    from learning.models import ComplianceSnapshot, utcnow

    person = people.user("due@example.org", agency="Police A")
    # In date, running out within the reminder window: a reminder is due.
    records.completion(person, "police-protection", completed_at=utcnow() - timedelta(days=350),
                       expires_at=utcnow() + timedelta(days=10))
    daily_snapshot.call_local()
    assert db.session.scalar(select(func.count()).select_from(ComplianceSnapshot)) > 0
    daily_emails.call_local()
    assert "due@example.org" in {m["To"] for m in mailbox.messages()}
    daily_emails.call_local()
    assert len([m for m in mailbox.messages() if m["To"] == "due@example.org"]) == 1, "nothing is sent twice"
