"""Instructions per request: the question page, an answer post, the two floor pages of
bench/floor_app.py (the least a signed-in page or write costs) and /health, counted by
valgrind, so that two versions of the code can be compared on a busy or noisy machine.

    .venv/bin/python bench/instructions.py                # about 3 minutes
    .venv/bin/python bench/instructions.py --requests 200
    .venv/bin/python bench/instructions.py --kinds question answer   # the performance guard's two

Timings on a shared machine move by 10-30% from run to run; instruction counts repeat within
0.2%. Each kind of request runs in a child process under `valgrind --tool=callgrind`: after
start-up, sign-in and WARM_UP requests of the kind, the counted requests run inside
sys.call_tracing, and callgrind counts only inside it (--collect-atstart=no
--toggle-collect=sys_call_tracing); that count divided by the requests is the cost of one.
(Counting whole runs and subtracting a short one from a long one, as this did before, left
each figure a few per cent adrift: both runs pay about 9 billion instructions of start-up.) Requests go through Flask's test
client (in-process, SQLite), so the figures leave out gunicorn and the network, and count
work rather than time: cache misses, which weigh more under gunicorn, are not in them.

The attempts draw the same questions every time (the random draw is seeded in the child),
so the question page counted is the same page from run to run; string hashing is seeded
too, and what start-up made is frozen out of the garbage collector's way (gc.freeze), so a
collection that happens to fall in one run and not the other does not swamp the figures;
the session clock stands still, so the once-a-minute rewrite of the last-seen time does not
fall into some runs and not others (how many minutes a run takes depends on the machine's load). Answer posts go to attempts
of every module started before the counted requests, as in bench/throughput.py.
A measurement, not a test.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("question", "answer", "floor page", "floor write", "health")
WARM_UP = 8  # requests of the kind made before counting: first-use costs (statements compiled, templates loaded) fall in them


def child(kind: str, requests: int, database: str, email: str) -> None:
    """Sign in, make WARM_UP requests of one kind, then `requests` more inside
    sys.call_tracing: under valgrind with --toggle-collect=sys_call_tracing only those count."""
    import gc
    import random

    random.SystemRandom = lambda: random.Random(1)  # the same draw in every run
    from bench.harness import CSRF_TOKEN, PASSWORD, module_sizes
    from learning import create_app

    app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                                  "RATELIMIT_STORAGE_URI": "memory://"})
    # The session's last-seen time is rewritten at most once a minute of the clock: under
    # valgrind on a busy machine, how many minutes a run takes would decide how many
    # requests pay for that rewrite. The child's clock stands still instead.
    from learning.auth import sessions

    started = sessions.clock()
    sessions.clock = lambda: started
    if kind.startswith("floor"):
        from bench.floor_app import add_floor_pages

        add_floor_pages(app)
    client = app.test_client()
    token = CSRF_TOKEN.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    assert client.post("/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD}).status_code == 302
    # Signing in starts a new session, with a new CSRF secret: a token from after it.
    token = CSRF_TOKEN.search(client.get("/modules/police-protection").get_data(as_text=True)).group(1)

    # Everything made so far lives as long as the process: frozen, it is never walked by a
    # collection again, so whether a full collection falls in one run and not in the other
    # does not swamp the difference between them.
    gc.collect()
    gc.freeze()

    def start(slug: str) -> int:
        location = client.post(f"/modules/{slug}/start", data={"csrf_token": token}).location
        return int(re.search(r"/attempts/(\d+)/", location).group(1))

    if kind == "question":
        attempt = start("police-protection")
    elif kind == "answer":
        attempts = [(start(slug), total) for slug, total in module_sizes().items()]
        posts = [(attempt, number) for attempt, total in attempts for number in range(1, total + 1)]
        assert WARM_UP + requests <= len(posts), f"at most {len(posts) - WARM_UP} answers: one attempt of each module"

    def one(i: int) -> None:
        if kind == "health":
            assert client.get("/health").status_code == 200
        elif kind == "floor page":
            assert client.get("/floor/page").status_code == 200
        elif kind == "floor write":
            assert client.post("/floor/write", data={"csrf_token": token}).status_code == 302
        elif kind == "question":
            assert client.get(f"/attempts/{attempt}/questions/1").status_code == 200
        else:
            attempt_id, number = posts[i]
            response = client.post(f"/attempts/{attempt_id}/questions/{number}",
                                   data={"csrf_token": token, "answer": "option-1"})
            assert response.status_code == 302, response.status_code

    for i in range(WARM_UP):
        one(i)
    sys.call_tracing(lambda: [one(i) for i in range(WARM_UP, WARM_UP + requests)], ())


def counted(kind: str, requests: int, template: Path, email: str, folder: Path) -> int:
    """Instructions for a child run making `requests` requests, on a fresh copy of the database."""
    database = folder / f"{kind}-{requests}.db"
    shutil.copy(template, database)
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--collect-atstart=no",
         "--toggle-collect=sys_call_tracing", sys.executable, __file__,
         "--child", kind, str(requests), str(database), email],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        raise RuntimeError(f"{kind} x{requests} failed:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40,
                        help="requests counted of each kind (answers: at most 48)")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS, metavar="KIND",
                        help=f"which kinds of request to count (default: all of {', '.join(KINDS)})")
    parser.add_argument("--child", nargs=4, metavar=("KIND", "N", "DATABASE", "EMAIL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, requests, database, email = args.child
        child(kind, int(requests), database, email)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: it counts the instructions.", file=sys.stderr)
        return 1
    from bench.harness import migrate, seed_practitioners

    folder = Path(tempfile.mkdtemp(prefix="learning-instructions-"))
    template = folder / "template.db"
    migrate(f"sqlite:///{template}")
    email = seed_practitioners(f"sqlite:///{template}", 1)[0]
    requests = min(args.requests, 56 - WARM_UP)
    # Two children at a time: one per core on this machine.
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {kind: pool.submit(counted, kind, requests, template, email, folder) for kind in args.kinds}
        per_request = {kind: runs[kind].result() / requests for kind in args.kinds}
    shutil.rmtree(folder, ignore_errors=True)
    print(f"\nInstructions per request (valgrind; in-process, SQLite; {requests} requests counted per kind)")
    for kind in args.kinds:
        ratio = f"   {per_request[kind] / per_request['health']:>5.2f} x /health" if "health" in per_request else ""
        print(f"  {kind:<12}{per_request[kind] / 1e6:>8.2f} million{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
