"""The pages leads and coordinators open, served by gunicorn (gunicorn.conf.py, 2 workers) to
10 signed-in coordinators at once: p50, p95 and the slowest request per page; then the time
from a coordinator asking for the partnership compliance workbook to the file being ready.
Used by bench/run.py at each size; standard library only on the client side
(bench/harness.py).

The server is as in production: gunicorn and, beside it, the job queue's worker
(`flask --app app worker --workers 1`) sharing one queue. Before anything is timed the
bench waits until the partnership dashboard and "Questions staff get wrong" are ready
(`dashboard_ready`), as they would be on a service that has been running a while.

Each page gets a warm-up round first (one request per client, reported as "first s": what
the first people to open it after a quiet spell wait, the whole-workforce figures being
counted then), then `REQUESTS` timed requests shared among the clients. The slowest
request of the whole run, warm-ups included, is reported too.

The workbook comes last, when the pages are done: one coordinator asks for it with no
filters (GET /dashboard/compliance.xlsx, a job above LARGE_EXPORT_STAFF staff), reads the
job's status every `POLL_SECONDS` as the progress page's script does, and downloads it as
soon as it is ready. Reported: seconds from asking to ready, the download's seconds and
bytes, and the job worker's peak resident memory from the moment of asking (VmHWM).
"""
from __future__ import annotations

import json
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import Browser, Server

CLIENTS = 10
REQUESTS = 50
PASSWORD = "bench-password-123"

# When the served app counts as ready to be measured: the job worker counts the partnership's
# figures and the questions' after it starts (then every minute and every 15 minutes, and
# on demand), and until it has, these pages say they are being counted. Change these if
# those pages or their words change.
READY_PATHS = ("/dashboard/", "/dashboard/misconceptions")
READY_WAIT_SECONDS = 180

WORKBOOK_PATH = "/dashboard/compliance.xlsx"  # "Download the compliance workbook", no filters
POLL_SECONDS = 0.5  # the progress page's script reads the status every second
WORKBOOK_WAIT_SECONDS = 900


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
        "person record": [f"/people/{person}" for person in ids["people"]],
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


def dashboard_ready(browser: Browser) -> dict:
    """Wait until no page of READY_PATHS says its figures are being counted, up to
    READY_WAIT_SECONDS; how long that took, and whether they were ready."""
    began = time.perf_counter()
    while True:
        responses = [browser.get(path) for path in READY_PATHS]
        ready = all(r.status == 200 and "being counted" not in r.body for r in responses)
        waited = time.perf_counter() - began
        if ready or waited > READY_WAIT_SECONDS:
            return {"ready": ready, "seconds": waited}
        time.sleep(1)


def click_to_ready(server: Server, browser: Browser) -> dict:
    """Ask for the partnership compliance workbook, wait for its job, download it."""
    before = server.job_worker_memory()
    peak_reset = server.reset_job_worker_peak()
    began = time.perf_counter()
    asked = browser.get(WORKBOOK_PATH)
    if asked.status == 200:  # under LARGE_EXPORT_STAFF: sent straight away, no job
        started, ready, download = None, asked.seconds, asked
    elif asked.status == 302 and "/jobs/" in asked.location:
        state, started = _wait_for_job(server, browser, urlsplit(asked.location).path, began)
        ready = time.perf_counter() - began
        download = browser.get(state["download"])
    else:
        raise RuntimeError(f"{WORKBOOK_PATH}: expected a job's progress page, got {asked.status} {asked.location}")
    if download.status != 200 or not download.content.startswith(b"PK"):
        raise RuntimeError(f"the workbook's download: {download.status}, {download.content[:80]!r}")
    memory = server.job_worker_memory()
    return {"job": asked.status == 302, "ask_seconds": asked.seconds, "started_seconds": started, "ready_seconds": ready,
            "download_seconds": download.seconds, "bytes": len(download.content),
            "worker_mib_before": before["rss_mib"], "worker_peak_mib": memory["peak_mib"],
            # False: the kernel refused the reset, so the peak is of the worker's whole life.
            "worker_peak_from_ask": peak_reset}


def _wait_for_job(server: Server, browser: Browser, job_path: str, began: float) -> tuple[dict, float]:
    """Read the job's status until its file can be downloaded; the last status, and the
    seconds from `began` until the worker had taken the job."""
    started = None
    while True:
        polled = browser.get(f"{job_path}/status")
        if polled.status != 200:
            raise RuntimeError(f"{job_path}/status: {polled.status}")
        state = json.loads(polled.body)
        if started is None and state["status"] != "queued":
            started = time.perf_counter() - began
        if state["download"]:
            return state, started
        if state["status"] == "failed":
            raise RuntimeError(f"the workbook's job failed; the server's log ends:\n{_tail(server.log)}")
        if time.perf_counter() - began > WORKBOOK_WAIT_SECONDS:
            raise RuntimeError(f"the workbook was not ready after {WORKBOOK_WAIT_SECONDS} s: {state}")
        time.sleep(POLL_SECONDS)


def _tail(log: Path | None, lines: int = 40) -> str:
    """The end of the log (it goes with the bench's temporary folder)."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log and log.exists() else "(no log)"


def measure(database_url: str, ids: dict, log: Path | None = None, jobs_url: str | None = None) -> dict:
    """Serve the app with gunicorn (2 workers) and the job worker; time every page, then the
    compliance workbook from asking to downloaded."""
    env = {"REQUIRE_2FA_FOR": "admin"}  # the bench's coordinators sign in with a password alone
    pages: dict = {}
    with Server(database_url, workers=2, env=env, log=log, job_worker=True, jobs_url=jobs_url) as server:
        browsers = _signed_in(server.base)
        ready = dashboard_ready(browsers[0])
        for name, paths in page_paths(ids).items():
            first = _round(browsers, paths, CLIENTS)
            times = _round(browsers, paths, REQUESTS)
            pages[name] = {"requests": len(times), "p50": statistics.median(times), "p95": _percentile(times, 0.95),
                           "max": max(times), "first_max": max(first), "path": paths[0]}
            time.sleep(0.2)
        workbook = click_to_ready(server, browsers[0])
    return {"dashboard_ready": ready, "pages": pages, "workbook": workbook,
            "queue": "redis" if jobs_url else "sqlite"}


def report(size: int, served: dict) -> None:
    pages, ready = served["pages"], served["dashboard_ready"]
    print(f"\nServed pages at {size:,} staff: gunicorn, 2 workers, and a job worker ({served['queue']} queue); "
          f"{CLIENTS} coordinators at once (goal: p95 <= 0.300 s, no request over 2 s)")
    if ready["ready"]:
        print(f"(the kept figures were ready {ready['seconds']:.1f} s after the server started)")
    else:
        print(f"NOT READY: a page still said \"being counted\" after {ready['seconds']:.0f} s; "
              f"the figures below include that state")
    print(f"{'page':<32} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'first s':>8}")
    for name, p in pages.items():
        print(f"{name:<32} {p['p50']:>7.3f} {p['p95']:>7.3f} {p['max']:>7.3f} {p['first_max']:>8.3f}")
    slowest = max(max(p["max"], p["first_max"]) for p in pages.values())
    print(f"slowest single request: {slowest:.3f} s")
    w = served["workbook"]
    how = "as a job" if w["job"] else "sent straight away (under LARGE_EXPORT_STAFF)"
    print(f"compliance workbook, whole partnership, {how}: asked in {w['ask_seconds']:.3f} s")
    taken = f"(the worker took the job after {w['started_seconds']:.1f} s)" if w["job"] else "(built in the request)"
    print(f"{'  click to ready s':<32} {w['ready_seconds']:>7.1f}   {taken}")
    print(f"{'  download s':<32} {w['download_seconds']:>7.2f}")
    print(f"{'  MB':<32} {w['bytes'] / 1e6:>7.1f}")
    since = "from the click" if w["worker_peak_from_ask"] else "over its life"
    print(f"{'  job worker peak MiB':<32} {w['worker_peak_mib']:>7.1f}   ({since}; {w['worker_mib_before']:.1f} MiB before)")
