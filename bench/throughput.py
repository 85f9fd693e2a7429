"""Web throughput: the question page and answer submits against the app's own /health.

    .venv/bin/python bench/throughput.py                  # SQLite (WAL), temporary folder
    .venv/bin/python bench/throughput.py --database-url postgresql+psycopg://postgres@127.0.0.1/load --reset

Starts the app under gunicorn (2 workers by default) and, in the same run, a bare Flask
app (bench/bare_app.py) under a second gunicorn with the same settings. Client processes
(not threads, so the client is not held back by one interpreter) then, for a fixed time
each:
  1. request a question page of their own open attempt, again and again;
  2. post answers (one CSRF token per session serves every form) to the questions of
     attempts started before the turn: each client has --answer-people people with an
     open attempt of every module. Starting and submitting attempts happen between
     turns, untimed: the turn measures answer posts and nothing else, as 1 measures
     question pages;
  3. request the two floor pages of bench/floor_app.py, from the same gunicorn: a
     signed-in page that renders only the layout and a CSRF token, and a signed-in,
     CSRF-checked post that writes one row, commits and redirects. No page of the service
     can cost less than these, so they show how much of 1 and 2 is the page's own work;
  4. request GET /health from the same gunicorn as 1 to 3: the baseline of the goal
     (issue 8), a bare endpoint served by the same server in the same run;
  5. request the pure Flask app's endpoint: a reference row only, so the cost of the
     app's own request hooks (headers, session, throttling) is visible too.
The gunicorn of 1 to 4 serves bench.floor_app's served(): app:app with the two floor
pages added. The time is split into turns (--rounds) taken in rotation, 1-2-3-4-5-1-2-...,
so a change in other load on the machine during the run weighs on every kind alike.
Prints requests per second and latency percentiles for each, and the ratios of the app's
rates to /health (the goal: at least 0.5) and to pure Flask. A measurement, not a test.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Browser, Server, migrate, module_sizes, seed_practitioners  # noqa: E402
from bench.load import prepare_database  # noqa: E402

SLUG = "police-protection"
QUESTION = "question page (GET)"
ANSWER = "answer submit (POST)"
HEALTH = "GET /health, same gunicorn (goal baseline)"
PURE = "pure Flask, separate gunicorn (reference)"
FLOOR_PAGE = "floor: signed-in layout (GET)"
FLOOR_WRITE = "floor: signed-in write (POST)"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def _signed_in(base: str, email: str) -> tuple[Browser, str]:
    browser = Browser(base)
    response = browser.sign_in(email)
    assert response.status == 302, f"sign-in failed for {email}: {response.status}"
    token = browser.get(f"/modules/{SLUG}").csrf()
    return browser, token


def _start(browser: Browser, token: str) -> int:
    response = browser.post(f"/modules/{SLUG}/start", {"csrf_token": token})
    return int(re.search(r"/attempts/(\d+)/", response.location).group(1))


def _repeat(send, status: int, seconds: float) -> list[float]:
    """Send the same request again and again for `seconds`: the time each took."""
    times, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        response = send()
        assert response.status == status, response.status
        times.append(response.seconds)
    return times


def question_pages(base: str, email: str, seconds: float) -> list[float]:
    browser, token = _signed_in(base, email)
    attempt = _start(browser, token)
    return _repeat(lambda: browser.get(f"/attempts/{attempt}/questions/1"), 200, seconds)


def sign_in_people(base: str, emails: list[str]) -> list[tuple[dict, str]]:
    """Each person's session cookies and a CSRF token, signed in once for the whole run."""
    people = []
    for email in emails:
        browser, token = _signed_in(base, email)
        people.append((browser.cookies, token))
    return people


def prepare_answers(base: str, people: list[tuple[dict, str]], modules: dict[str, int]) -> list[tuple]:
    """Before a measuring turn, untimed: an open attempt of every module for each of this
    client's people, as (cookies, token, attempt id, next question, questions). An attempt
    left part-answered by the last turn carries on where it stopped; a finished one is
    submitted and a new one started."""
    queue = []
    for cookies, token in people:
        browser = Browser(base)
        browser.cookies = dict(cookies)
        for slug, total in modules.items():
            location = browser.post(f"/modules/{slug}/start", {"csrf_token": token}).location
            if location.endswith("/check"):
                browser.post(location.removesuffix("/check") + "/submit", {"csrf_token": token})
                location = browser.post(f"/modules/{slug}/start", {"csrf_token": token}).location
            attempt, position = re.search(r"/attempts/(\d+)/questions/(\d+)$", location).groups()
            queue.append((browser.cookies, token, int(attempt), int(position), total))
    return queue


def answer_posts(base: str, queue: list[tuple], seconds: float) -> tuple[list[float], bool]:
    """Answer the prepared attempts' questions in order until the time is up. Returns the
    answers' times and whether the prepared questions ran out first (the rate is then too low)."""
    times, deadline = [], time.perf_counter() + seconds
    for cookies, token, attempt, position, total in queue:
        browser = Browser(base)
        browser.cookies = cookies
        for number in range(position, total + 1):
            if time.perf_counter() >= deadline:
                return times, False
            response = browser.post(f"/attempts/{attempt}/questions/{number}",
                                    {"csrf_token": token, "answer": "option-1"})
            assert response.status == 302 and "feedback" in response.location, (response.status, response.location)
            times.append(response.seconds)
    return times, True


def floor_pages(base: str, email: str, seconds: float) -> list[float]:
    browser, _token = _signed_in(base, email)
    return _repeat(lambda: browser.get("/floor/page"), 200, seconds)


def floor_writes(base: str, email: str, seconds: float) -> list[float]:
    browser, token = _signed_in(base, email)
    return _repeat(lambda: browser.post("/floor/write", {"csrf_token": token}), 302, seconds)


def health(base: str, email: str, seconds: float) -> list[float]:
    browser = Browser(base)
    return _repeat(lambda: browser.get("/health"), 200, seconds)


def pure_flask(base: str, email: str, seconds: float) -> list[float]:
    browser = Browser(base)
    return _repeat(lambda: browser.get("/bare"), 200, seconds)


def run_phase(fn, base: str, emails: list[str], seconds: float) -> list[float]:
    with ProcessPoolExecutor(max_workers=len(emails)) as pool:
        results = list(pool.map(fn, [base] * len(emails), emails, [seconds] * len(emails)))
    return [t for r in results for t in r]


def run_answer_phase(base: str, people: list[list], modules: dict[str, int], seconds: float) -> list[float]:
    """Prepare every client's attempts first (untimed), then all clients answer at once."""
    with ProcessPoolExecutor(max_workers=len(people)) as pool:
        queues = list(pool.map(prepare_answers, [base] * len(people), people, [modules] * len(people)))
        results = list(pool.map(answer_posts, [base] * len(people), queues, [seconds] * len(people)))
    if any(ran_out for _times, ran_out in results):
        print(f"warning: prepared questions ran out before the end of a {seconds:.1f} s turn; "
              "answer rates are understated (raise --answer-people)", file=sys.stderr)
    return [t for times, _ran_out in results for t in times]


def summary(times: list[float], seconds: float) -> dict:
    # Rate over the measuring windows, not the set-up (sign-in) before them.
    return {"requests": len(times), "rps": len(times) / seconds, "p50_ms": 1000 * _percentile(times, 50),
            "p95_ms": 1000 * _percentile(times, 95), "p99_ms": 1000 * _percentile(times, 99),
            "mean_ms": 1000 * statistics.mean(times) if times else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--reset", action="store_true", help="wipe the database given with --database-url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15, help="measuring time per kind of request, in all")
    parser.add_argument("--answer-people", type=int, default=10,
                        help="people per client for the answer posts, each with an open attempt of every module")
    parser.add_argument("--rounds", type=int, default=3,
                        help="split each kind's time into this many turns, taken in rotation, so load from "
                             "other work on the machine falls on every kind alike")
    args = parser.parse_args()
    args.practitioners = args.clients * (1 + args.answer_people)
    url, label = prepare_database(args)
    migrate(url)
    everyone = seed_practitioners(url, args.practitioners)
    emails = everyone[:args.clients]
    modules = module_sizes()
    env = {"RATELIMIT_STORAGE_URI": "memory://"}
    log = Path(tempfile.gettempdir()) / "learning-throughput-gunicorn.log"
    with Server(url, workers=args.workers, env=env, log=log, target="bench.floor_app:served()") as app_server, \
            Server(url, workers=args.workers, log=log, target="bench.bare_app:app", ready_path="/bare") as bare_server:
        with ProcessPoolExecutor(max_workers=args.clients) as pool:
            answerers = list(pool.map(sign_in_people, [app_server.base] * args.clients,
                                      [everyone[args.clients + i::args.clients] for i in range(args.clients)]))
        phases = {
            QUESTION: lambda turn: run_phase(question_pages, app_server.base, emails, turn),
            ANSWER: lambda turn: run_answer_phase(app_server.base, answerers, modules, turn),
            FLOOR_PAGE: lambda turn: run_phase(floor_pages, app_server.base, emails, turn),
            FLOOR_WRITE: lambda turn: run_phase(floor_writes, app_server.base, emails, turn),
            HEALTH: lambda turn: run_phase(health, app_server.base, emails, turn),
            PURE: lambda turn: run_phase(pure_flask, bare_server.base, emails, turn),
        }
        times: dict[str, list[float]] = {name: [] for name in phases}
        for _ in range(args.rounds):
            for name, measure in phases.items():
                times[name] += measure(args.seconds / args.rounds)
    results = {name: summary(t, args.seconds) for name, t in times.items()}
    health_rps, pure_rps = results[HEALTH]["rps"], results[PURE]["rps"]
    print(f"\n{label}, gunicorn {args.workers} workers, {args.clients} client processes, {args.seconds:.0f} s each "
          f"in {args.rounds} turns")
    print(f"{'':<40}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'vs /health':>11}{'vs pure':>9}")
    for name, r in results.items():
        print(f"{name:<40}{r['requests']:>9}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{r['rps'] / health_rps:>11.2f}{r['rps'] / pure_rps:>9.2f}")
    print("\nGoal (issue 8): question page and answer submit at least 0.5 of /health's rate, the bare endpoint")
    print("served by the same gunicorn in the same run. The pure Flask row, a separate app and gunicorn, is a")
    print("reference: what the app's own hooks (headers, session, throttling) cost on top of Flask itself.")
    print("The floor rows are the least a signed-in page or a signed-in write can cost here: a page's own")
    print("work is the gap between its row and its floor.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
