"""The pages leads and coordinators open, served by gunicorn (gunicorn.conf.py, 2 workers) to
10 signed-in coordinators at once: p50, p95 and the slowest request per page. Used by
bench/run.py at each size; standard library only on the client side (bench/harness.py).

Each page gets a warm-up round first (one request per client, reported as "first s": what
the first people to open it after a quiet spell wait, the whole-workforce figures being
counted then), then `REQUESTS` timed requests shared among the clients. The slowest
request of the whole run, warm-ups included, is reported too.
"""
from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

from bench.harness import Browser, Server

CLIENTS = 10
REQUESTS = 50
PASSWORD = "bench-password-123"


def coordinator_emails(count: int = CLIENTS) -> list[str]:
    return [f"bench-coordinator-{i}@example.org" for i in range(count)]


def page_paths(ids: dict) -> dict[str, list[str]]:
    """The pages measured, by name: each a list of paths, taken in turn (a person record
    is a different person each time)."""
    agency, team, module = ids["agency"], ids["team"], ids["module"]
    staff = "/dashboard/staff"
    return {
        # The floor: a signed-in page that reads almost nothing, for what the machine gives
        # any page under this load (the layout, the session, the sign-in check).
        "floor: your account": ["/account"],
        "partnership dashboard": ["/dashboard/"],
        "agency dashboard": [f"/dashboard/agencies/{agency}"],
        "staff list": [staff],
        "staff list: expired, page 2": [f"{staff}?status=expired&page=2"],
        "staff list: each status": [f"{staff}?status={s}" for s in
                                    ("in_date", "expiring", "in_progress", "not_passed", "not_started")],
        "staff list: compliant": [f"{staff}?status=compliant"],
        "staff list: module and status": [f"{staff}?module={module}&status=expiring"],
        "staff list: team": [f"{staff}?agency={agency}&team={team}"],
        "staff list: name search": [f"{staff}?q=Person+0012"],
        "person record": [f"/dashboard/people/{person}" for person in ids["people"]],
        "questions staff get wrong": ["/dashboard/misconceptions"],
        "people list": ["/people/"],
        "people list: search": ["/people/?q=person+0012"],
        "courses": ["/courses/"],
    }


def _signed_in(base: str) -> list[Browser]:
    browsers = []
    for email in coordinator_emails():
        browser = Browser(base)
        response = browser.sign_in(email, PASSWORD)
        if response.status != 302:
            raise RuntimeError(f"{email} could not sign in: {response.status}")
        browsers.append(browser)
    return browsers


def _round(browsers: list[Browser], paths: list[str], count: int) -> list[float]:
    """`count` requests shared among the browsers, all at once; their times in seconds."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    turn = iter(range(count))

    def client(browser: Browser) -> None:
        while True:
            with lock:
                n = next(turn, None)
            if n is None:
                return
            response = browser.get(paths[n % len(paths)])
            with lock:
                times.append(response.seconds)
                if response.status != 200:
                    errors.append(f"{paths[n % len(paths)]}: {response.status}")

    threads = [threading.Thread(target=client, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"unexpected answers: {errors[:3]}")
    return times


def _percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def measure(database_url: str, ids: dict, log: Path | None = None) -> dict:
    """Serve the app with gunicorn (2 workers) and time every page; returns figures per page."""
    env = {"REQUIRE_2FA_FOR": "admin"}  # the bench's coordinators sign in with a password alone
    results: dict = {}
    with Server(database_url, workers=2, env=env, log=log) as server:
        browsers = _signed_in(server.base)
        for name, paths in page_paths(ids).items():
            first = _round(browsers, paths, CLIENTS)
            times = _round(browsers, paths, REQUESTS)
            results[name] = {"requests": len(times), "p50": statistics.median(times), "p95": _percentile(times, 0.95),
                             "max": max(times), "first_max": max(first), "path": paths[0]}
            time.sleep(0.2)
    return results


def report(size: int, pages: dict) -> None:
    print(f"\nServed pages at {size:,} staff: gunicorn, 2 workers, {CLIENTS} coordinators at once "
          f"(goal: p95 <= 0.300 s, no request over 2 s)")
    print(f"{'page':<32} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'first s':>8}")
    for name, p in pages.items():
        print(f"{name:<32} {p['p50']:>7.3f} {p['p95']:>7.3f} {p['max']:>7.3f} {p['first_max']:>8.3f}")
    slowest = max(max(p["max"], p["first_max"]) for p in pages.values())
    print(f"slowest single request: {slowest:.3f} s")
