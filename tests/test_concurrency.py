"""Attempt integrity under concurrency: simultaneous starts, answers and submits from
threads hitting the app (separate sessions and connections, as separate workers would)
write exactly one attempt, one answer and one completion. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL.

Two kinds of race:
- forced: an engine hook holds each request at its first write until every request has
  read the state, so all of them decide "nothing done yet" before any of them writes. This
  is the worst interleaving, made certain rather than left to luck;
- burst: many requests released at once with no hook, like a storm of double clicks.
"""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from learning.extensions import db
from learning.models import Attempt, AttemptQuestion, AttemptStatus, Completion
from tests.conftest import sign_in
from tests.journey import start, values_for

SLUG = "police-protection"


def run_together(calls):
    """Run the callables in threads released at the same moment; return their results."""
    gate = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def worker(i, call):
        try:
            gate.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # reported below, with the thread's traceback
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


@contextmanager
def writes_held_until_all_have_read(parties: int, statement: str):
    """Hold each thread's first `statement` (regex on the SQL) until `parties` threads have
    reached theirs; record each such statement's rowcount."""
    engine = db.engine
    gate = threading.Barrier(parties)
    seen = threading.local()
    rowcounts: list[int] = []
    pattern = re.compile(statement, re.IGNORECASE | re.DOTALL)

    def before(conn, cursor, sql, params, context, executemany):
        if pattern.search(sql) and not getattr(seen, "held", False):
            seen.held = True
            gate.wait(timeout=10)

    def after(conn, cursor, sql, params, context, executemany):
        if pattern.search(sql):
            rowcounts.append(cursor.rowcount)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield rowcounts
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def clients_for(app, user, n):
    clients = [app.test_client() for _ in range(n)]
    for client in clients:
        assert sign_in(client, user).status_code == 302
    return clients


def answer_all_but_submit(client, attempt_id):
    attempt = db.session.get(Attempt, attempt_id)
    for position in range(1, attempt.total + 1):
        client.post(f"/attempts/{attempt_id}/questions/{position}",
                    data={"answer": values_for(attempt, position, want_correct=True)})
    db.session.expire_all()


def count(query) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_two_submits_at_once_write_one_completion(app, people):
    pat = people.user()
    first, second = clients_for(app, pat, 2)
    attempt_id = start(first, SLUG)
    answer_all_but_submit(first, attempt_id)

    with writes_held_until_all_have_read(2, r"^UPDATE attempt SET") as claims:
        responses = run_together([lambda c=c: c.post(f"/attempts/{attempt_id}/submit") for c in (first, second)])

    assert [r.status_code for r in responses] == [302, 302]
    assert all(r.location.endswith(f"/attempts/{attempt_id}/result") for r in responses)
    assert sorted(claims) == [0, 1], "exactly one request claimed the attempt"
    assert count(select(Completion).where(Completion.attempt_id == attempt_id)) == 1
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.SUBMITTED.value and attempt.passed


def test_a_burst_of_submits_writes_one_completion(app, people):
    pat = people.user()
    clients = clients_for(app, pat, 8)
    attempt_id = start(clients[0], SLUG)
    answer_all_but_submit(clients[0], attempt_id)
    responses = run_together([lambda c=c: c.post(f"/attempts/{attempt_id}/submit") for c in clients])
    assert {r.status_code for r in responses} == {302}
    assert count(select(Completion).where(Completion.user_id == pat.id)) == 1


def test_two_answers_at_once_record_one_the_first_stays(app, people):
    pat = people.user()
    first, second = clients_for(app, pat, 2)
    attempt_id = start(first, SLUG)
    attempt = db.session.get(Attempt, attempt_id)
    right, wrong = values_for(attempt, 1, True), values_for(attempt, 1, False)

    with writes_held_until_all_have_read(2, r"^UPDATE attempt_question SET") as writes:
        responses = run_together([
            lambda: first.post(f"/attempts/{attempt_id}/questions/1", data={"answer": right}),
            lambda: second.post(f"/attempts/{attempt_id}/questions/1", data={"answer": wrong}),
        ])

    assert all(r.status_code == 302 and r.location.endswith("/questions/1/feedback") for r in responses)
    assert sorted(writes) == [0, 1], "exactly one answer was written"
    db.session.expire_all()
    row = db.session.scalar(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id,
                                                          AttemptQuestion.position == 1))
    assert row.answered_at is not None and row.is_correct is not None
    # Both learners' feedback pages show the one answer that was kept.
    pages = [c.get(f"/attempts/{attempt_id}/questions/1/feedback").get_data(as_text=True) for c in (first, second)]
    assert pages[0].split("<h1", 1)[1][:80] == pages[1].split("<h1", 1)[1][:80]


def test_two_starts_at_once_open_one_attempt(app, people):
    pat = people.user()
    first, second = clients_for(app, pat, 2)
    with writes_held_until_all_have_read(2, r"^INSERT INTO attempt \("):
        responses = run_together([lambda c=c: c.post(f"/modules/{SLUG}/start") for c in (first, second)])
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].location == responses[1].location, "both are sent to the same attempt"
    assert count(select(Attempt).where(Attempt.user_id == pat.id)) == 1
    assert count(select(AttemptQuestion)) == db.session.scalar(select(Attempt.total))


@pytest.mark.parametrize("n", [8])
def test_a_burst_of_starts_opens_one_attempt(app, people, n):
    pat = people.user()
    clients = clients_for(app, pat, n)
    responses = run_together([lambda c=c: c.post(f"/modules/{SLUG}/start") for c in clients])
    assert {r.status_code for r in responses} == {302}
    assert len({r.location for r in responses}) == 1
    assert count(select(Attempt).where(Attempt.user_id == pat.id,
                                       Attempt.status == AttemptStatus.IN_PROGRESS.value)) == 1
