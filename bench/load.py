"""Load and fault test: many people taking modules at once through gunicorn.

    .venv/bin/python bench/load.py                       # SQLite (WAL) in a temporary folder
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1/load --reset

Seeds practitioners into a fresh database (made by the real migrations), starts gunicorn
with several workers, and has concurrent clients each sign in and take whole modules as a
person would: module page, start, every question (reading the question page for its CSRF
token and options, answering from the answer key, reading the feedback), the check page,
submit, the result. Some submissions are meant to fail, and some are sent twice at once
(a double click). CSRF is on, with real tokens read from the forms.

Prints errors (must be 0), completions written against those expected (must be equal),
latency percentiles and requests per second; exits 1 if anything is wrong. It is a
measurement, not a unit test: run it before a release and after changes to attempts.py,
the database settings or the deployment.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, inspect, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.harness import AnswerKey, Browser, Server, UnexpectedResponse, answer_questions, expect, migrate, seed_practitioners, start_module, submit  # noqa: E402


@dataclass(frozen=True)
class Job:
    number: int
    practitioner: int
    slug: str
    wrong: int        # questions answered wrongly on purpose (3 of 8 fails the 80% pass mark)
    double: bool      # submit sent twice at once

    @property
    def should_pass(self) -> bool:
        return self.wrong == 0


def plan(args, slugs: list[str]) -> list[Job]:
    return [Job(number=n, practitioner=n % args.practitioners, slug=slugs[n % len(slugs)],
                wrong=3 if args.fail_every and n % args.fail_every == args.fail_every - 1 else 0,
                double=bool(args.double_every) and n % args.double_every == 0)
            for n in range(args.submissions)]


class Run:
    def __init__(self, base: str, emails: list[str], key: AnswerKey):
        self.base, self.emails, self.key = base, emails, key
        self.timings: list[tuple[str, float]] = []
        self.errors: list[str] = []
        self.passed_seen = 0
        self.done = 0
        self.lock = threading.Lock()

    def client(self, jobs: list[Job]) -> None:
        """One client thread: its own practitioners (no one else signs in as them), its jobs in order."""
        browsers: dict[int, Browser] = {}
        for job in jobs:
            try:
                browser = browsers.get(job.practitioner)
                if browser is None:
                    browser = browsers[job.practitioner] = Browser(self.base, self.timings)
                    expect(browser.sign_in(self.emails[job.practitioner]), 302, "sign in")
                self.take(browser, job)
            except Exception as exc:  # counted and reported; the client carries on
                with self.lock:
                    self.errors.append(f"job {job.number} ({job.slug}): {type(exc).__name__}: {exc}")

    def take(self, browser: Browser, job: Job) -> None:
        attempt_id = start_module(browser, job.slug)
        check = answer_questions(browser, self.key, job.slug, attempt_id, wrong=job.wrong)
        if job.double:
            twin = Browser(self.base, self.timings)
            twin.cookies = dict(browser.cookies)
            responses: list = [None, None]
            page = expect(browser.get(check, kind="check"), 200, check)
            action = f"/attempts/{attempt_id}/submit"

            def send(i, who):
                responses[i] = who.post(action, {"csrf_token": page.csrf()}, kind="submit")

            threads = [threading.Thread(target=send, args=(i, who)) for i, who in enumerate((browser, twin))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for response in responses:
                expect(response, 302, "double submit")
            submitted = responses[0]
        else:
            submitted = expect(submit(browser, check), 302, "submit")
        if not submitted.location.endswith(f"/attempts/{attempt_id}/result"):
            raise UnexpectedResponse(f"submit went to {submitted.location}")
        result = expect(browser.get(submitted.location, kind="result"), 200, "result")
        passed = "You passed" in result.body
        if passed != job.should_pass:
            raise UnexpectedResponse(f"result says passed={passed}, expected {job.should_pass}")
        with self.lock:
            self.passed_seen += passed
            self.done += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def check_database(url: str, jobs: list[Job]) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            one = lambda sql: conn.execute(text(sql)).scalar()  # noqa: E731
            return {
                "attempts": one("SELECT count(*) FROM attempt"),
                "submitted": one("SELECT count(*) FROM attempt WHERE status = 'submitted'"),
                "open": one("SELECT count(*) FROM attempt WHERE status = 'in_progress'"),
                "passed": one("SELECT count(*) FROM attempt WHERE passed"),
                "completions": one("SELECT count(*) FROM completion"),
                "completion_without_pass": one(
                    "SELECT count(*) FROM completion c JOIN attempt a ON a.id = c.attempt_id WHERE NOT a.passed"),
                "answers": one("SELECT count(*) FROM attempt_question WHERE answered_at IS NOT NULL"),
                "questions": one("SELECT count(*) FROM attempt_question"),
            }
    finally:
        engine.dispose()


def prepare_database(args) -> tuple[str, str]:
    if not args.database_url:
        folder = Path(tempfile.mkdtemp(prefix="learning-load-"))
        return f"sqlite:///{folder / 'load.db'}", f"SQLite (WAL) at {folder / 'load.db'}"
    url = args.database_url
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
        if tables and not args.reset:
            sys.exit(f"{make_url(url).render_as_string()} already has tables. Use an empty database, or --reset "
                     "to DROP everything in it.")
        if tables and engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return url, f"{engine.dialect.name} at {make_url(url).render_as_string()}"


def main() -> int:
    parser = argparse.ArgumentParser(description="Load and fault test under gunicorn (see the module docstring).")
    parser.add_argument("--database-url", help="an EMPTY database (default: a new SQLite file)")
    parser.add_argument("--reset", action="store_true", help="drop everything in --database-url first")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--submissions", type=int, default=1000, help="module submissions in all (default 1000)")
    parser.add_argument("--practitioners", type=int, default=200, help="accounts to seed (default 200)")
    parser.add_argument("--fail-every", type=int, default=10, help="every Nth submission fails on purpose (0: none)")
    parser.add_argument("--double-every", type=int, default=7, help="every Nth is submitted twice at once (0: none)")
    parser.add_argument("--redis", help="RATELIMIT_STORAGE_URI for the server (default: memory)")
    args = parser.parse_args()
    if args.practitioners < args.clients:
        parser.error("--practitioners must be at least --clients (each client has its own people)")

    url, where = prepare_database(args)
    print(f"Database: {where}")
    migrate(url)
    emails = seed_practitioners(url, args.practitioners)
    key = AnswerKey()
    jobs = plan(args, key.slugs)
    per_client: dict[int, list[Job]] = defaultdict(list)
    for job in jobs:  # a practitioner belongs to one client, so no one is signed in twice
        per_client[job.practitioner % args.clients].append(job)

    env = {"RATELIMIT_STORAGE_URI": args.redis} if args.redis else {}
    log = Path(tempfile.gettempdir()) / "learning-load-gunicorn.log"
    with Server(url, workers=args.workers, env=env, log=log) as server:
        print(f"gunicorn {args.workers} workers on {server.base} (log {log}); {args.clients} clients, "
              f"{args.practitioners} practitioners, {len(jobs)} submissions "
              f"({sum(not j.should_pass for j in jobs)} meant to fail, {sum(j.double for j in jobs)} sent twice at once)")
        run = Run(server.base, emails, key)
        threads = [threading.Thread(target=run.client, args=(per_client[c],)) for c in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        next_report = 30
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            if time.perf_counter() - started >= next_report:
                print(f"  {run.done} of {len(jobs)} submissions done after {next_report} s", flush=True)
                next_report += 30
        elapsed = time.perf_counter() - started

    counts = check_database(url, jobs)
    expected_completions = sum(j.should_pass for j in jobs)
    answers_expected = counts["questions"]
    problems = []
    if run.errors:
        problems.append(f"{len(run.errors)} errors")
    if counts["completions"] != expected_completions:
        problems.append("completions written differ from expected")
    if counts["submitted"] != len(jobs) or counts["open"] != 0 or counts["attempts"] != len(jobs):
        problems.append("attempts lost, duplicated or left open")
    if counts["answers"] != answers_expected or counts["completion_without_pass"]:
        problems.append("answers missing or a completion without a pass")

    print(f"\nErrors: {len(run.errors)}")
    for line in run.errors[:10]:
        print(f"  {line}")
    print(f"Completions written: {counts['completions']}, expected {expected_completions} "
          f"(result pages saying 'You passed': {run.passed_seen})")
    print(f"Attempts: {counts['attempts']} ({counts['submitted']} submitted, {counts['open']} open) for "
          f"{len(jobs)} submissions; answers recorded {counts['answers']} of {answers_expected}")
    total = len(run.timings)
    print(f"Requests: {total:,} in {elapsed:.1f} s = {total / elapsed:,.0f} requests/s; "
          f"{len(jobs) / elapsed:.1f} submissions/s")
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, seconds in run.timings:
        by_kind[kind].append(seconds * 1000)
    print(f"\n{'latency (ms)':<16}{'count':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'mean':>8}")
    rows = [("all requests", [s * 1000 for _, s in run.timings])] + sorted(by_kind.items())
    for kind, values in rows:
        print(f"{kind:<16}{len(values):>8}{percentile(values, 50):>8.0f}{percentile(values, 95):>8.0f}"
              f"{percentile(values, 99):>8.0f}{max(values):>8.0f}{statistics.mean(values):>8.0f}")
    print(f"\nRESULT: {'FAIL: ' + '; '.join(problems) if problems else 'PASS (0 errors, nothing lost)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
