"""Scale benchmark: exports and pages at 10k, 50k and 100k practitioners, side by side.

    .venv/bin/python bench/run.py                      # SQLite in a temporary folder
    .venv/bin/python bench/run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/run.py --sizes 2000,5000    # a quick look
    .venv/bin/python bench/run.py --pages-only         # skip the exports: pages only, much quicker
    .venv/bin/python bench/run.py --served-only --sizes 100000 --reuse --database-url ...  # no re-seeding

The database given is wiped, unless --reuse: then it is kept as it is (migrations brought up
to date, the bench's coordinators added if missing) and only the practitioners a size lacks
are seeded, none when it holds that many already; a size below what it holds is refused.
For each size the workforce is grown with seed-scale, then:
- the compliance workbook is exported against a baseline that fetches the staff matrix and
  completions rows with one raw SQL query each and writes the same cells with plain openpyxl
  write-only. Each export runs in a fresh process, which reports the export's wall time, the
  CPU time of that process, and its peak resident memory (VmHWM). The two run interleaved,
  ours, baseline, baseline, ours (`--rounds 2`, the default), and each side's best wall
  time counts: a machine shared with other work only ever adds time, so the best of two is
  the least disturbed, and the mirrored order gives neither side the quieter slot. Both
  sides get the same number of runs, the same rows and the same cells. The CPU time is the
  client process's only: on SQLite that is all the work (the database runs in-process), on
  PostgreSQL the server's share is not in it. Peak memory is the larger of each side's runs;
- the partnership dashboard, an agency dashboard and the staff matrix page are requested
  through the app: SQL statements per page, and time against running the same SQL
  statements directly on the database connection, page and raw runs interleaved, best of at
  least 5 each (more, up to 25, for pages that take well under a second).
- the pages are served by gunicorn with the job queue's worker beside it (bench/served.py):
  10 coordinators at once, then the time from asking for the compliance workbook to its
  file being ready, the download, and the worker's peak memory. The queue is SQLite in a
  temporary folder, or Redis with --jobs-url redis://127.0.0.1:6379/<db>.
With --pages-only the exports are skipped (no workbook is written, no export figures
reported): only the pages are measured, the same way. --served-only: the served part alone.
Results print as a table and go to bench/results/latest.json (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import before_render_template, template_rendered  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import MetaData, delete, event, func, select, text, update  # noqa: E402

from bench import served  # noqa: E402
from learning import create_app  # noqa: E402
from learning.compliance import (  # noqa: E402
    Scope,
    compliance_workbook,  # noqa: E402
    lookups,
    pairs,
    required_modules,
)
from learning.compliance.counted_table import CountedFigures  # noqa: E402
from learning.compliance.status import Status  # noqa: E402
from learning.content.catalogue import sync_modules  # noqa: E402
from learning.extensions import db  # noqa: E402
from learning.jobs.models import Job, JobStatus  # noqa: E402
from learning.models import Role, User  # noqa: E402
from learning.scale import seed_scale  # noqa: E402

PAGE_RUNS = (5, 25)  # at least, at most, per side
PAGE_SECONDS = 2.0  # keep repeating short pages until each side has run this long


def fresh_app(url: str | None, folder: Path, reuse: bool = False):
    """The app on the bench's database: wiped and migrated, or with `reuse` kept as it is and
    migrated; with the bench's coordinators either way."""
    url = url or f"sqlite:///{folder / 'bench.db'}"
    app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                                  "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                                  # The bench's coordinators sign in with a password alone.
                                  "REQUIRE_2FA_FOR": frozenset({"admin"}),
                                  # The pages measured in-process read the partnership's and the
                                  # questions' figures as the served part's worker kept them for
                                  # this size, and never queue a job: no worker runs beside this process.
                                  "COUNTED_FIGURES_SECONDS": 24 * 3600, "QUESTION_FIGURES_SECONDS": 24 * 3600,
                                  "JOBS_IMMEDIATE": True})
    with app.app_context():
        if not reuse:
            wipe()
        upgrade()
        sync_modules(app.extensions["catalogue"])
        for email in ["bench-coordinator@example.org", *served.coordinator_emails()]:
            coordinator = db.session.scalar(select(User).where(User.email == email))
            if coordinator is None:
                coordinator = User(email=email, name="Bench Coordinator", role=Role.COORDINATOR.value)
                db.session.add(coordinator)
            coordinator.set_password(served.PASSWORD)
        # A run stopped part-way can leave its workbook's job queued in a queue that went with
        # it: nothing would take it, and the same coordinator asking again would join it.
        db.session.execute(update(Job).where(
            Job.active_key.is_not(None),
            Job.user_id.in_(select(User.id).where(User.email.like("bench-coordinator%")))).values(
            status=JobStatus.FAILED.value, active_key=None))
        db.session.commit()
    return app


def wipe() -> None:
    """Every table gone: the migrations then build the database afresh."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        tables = MetaData()
        tables.reflect(db.engine)
        tables.drop_all(db.engine)


def scale_practitioners(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)).where(User.email.like("scale-%"))) or 0


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def best_interleaved(a, b) -> tuple[float, float]:
    """Best time of each of two functions run alternately, a then b, at least PAGE_RUNS[0]
    times each and more for short ones, so neither gets the quieter moments of the machine."""
    times_a, times_b = [], []
    while len(times_a) < PAGE_RUNS[0] or (sum(times_a) < PAGE_SECONDS and len(times_a) < PAGE_RUNS[1]):
        times_a.append(timed(a))
        times_b.append(timed(b))
    return min(times_a), min(times_b)


def export_ours(out: Path) -> None:
    compliance_workbook.build(str(out), Scope(), "benchmark", 60)


def _date(value):
    """Raw SQLite rows carry dates as text; PostgreSQL's as datetimes. Cells get dates."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).date()
    return value.date()


def export_baseline(out: Path) -> None:
    """The same cells as our Staff matrix and Completions sheets (the two that grow with the
    workforce), each from one raw SQL query, written with plain openpyxl write-only."""
    matrix_sql = str(pairs(Scope()).compile(db.engine, compile_kwargs={"literal_binds": True}))
    agencies, teams, modules = lookups()
    labels = {s.value: s.label for s in Status}
    order = [m.id for m in required_modules(None)]
    column = {module_id: i for i, module_id in enumerate(order)}
    conn = db.engine.raw_connection()
    try:
        cursor = conn.cursor()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Staff matrix")
        ws.append(["Name", "Email", "Agency", "Team", "Job title"] + [f"{modules[m]}: {t}" for m in order for t in ("status", "valid until")])
        # matrix_sql is the app's own compiled statement, not input.
        cursor.execute(
            f"SELECT p.user_id, p.module_id, p.status, p.expiry, u.name, u.email, u.job_title, u.agency_id, u.team_id "  # noqa: S608
            f"FROM ({matrix_sql}) p "
            f"JOIN \"user\" u ON u.id = p.user_id ORDER BY u.name, u.id")
        current, row = None, []
        for user_id, module_id, status, expiry, name, email, job, agency_id, team_id in cursor:
            if user_id != current:
                if row:
                    ws.append(row)
                current = user_id
                row = [name, email, agencies.get(agency_id, ""), teams.get(team_id, "") if team_id else "", job or ""]
                row += ["Not required", None] * len(order)
            at = 5 + 2 * column[module_id]
            row[at], row[at + 1] = labels[status], _date(expiry)
        if row:
            ws.append(row)
        ws = wb.create_sheet("Completions")
        ws.append(["Name", "Email", "Agency", "Team", "Module", "Content version", "Completed", "Valid until",
                   "Score (%)", "Source", "Certificate code", "Revoked"])
        cursor.execute(
            "SELECT u.name, u.email, u.agency_id, u.team_id, c.module_id, c.module_version, c.completed_at, "
            "c.expires_at, c.score, c.source, c.certificate_code, c.revoked_at FROM completion c "
            "JOIN \"user\" u ON u.id = c.user_id ORDER BY u.name, u.id, c.completed_at")
        for name, email, agency_id, team_id, module_id, version, done, expires, score, source, code, revoked in cursor:
            ws.append([name, email, agencies.get(agency_id, ""), teams.get(team_id, "") if team_id else "",
                       modules.get(module_id, ""), version, _date(done), _date(expires), score, source, code,
                       _date(revoked)])
        wb.save(str(out))
    finally:
        conn.close()


def export_process(which: str, url: str, out: Path) -> dict:
    """Run one export in a fresh process: its wall time and CPU time (of the export alone,
    not the process start), and the process's peak resident memory in MiB."""
    code = (
        "import json, sys, time; sys.path.insert(0, sys.argv[1]); sys.argv = sys.argv[:1] + sys.argv[2:];"
        "from pathlib import Path; import bench.run as r; app = r.quiet_app(sys.argv[1]);"
        "ctx = app.app_context(); ctx.push();"
        "began, cpu = time.perf_counter(), time.process_time();"
        "(r.export_ours if sys.argv[2] == 'ours' else r.export_baseline)(Path(sys.argv[3]));"
        "wall, cpu = time.perf_counter() - began, time.process_time() - cpu;"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
        "peak = int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) / 1024;"
        "print(json.dumps({'seconds': wall, 'cpu_seconds': cpu, 'peak_mib': peak}))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(ROOT), url, which, str(out)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def quiet_app(url: str):
    return create_app(test_config={"SQLALCHEMY_DATABASE_URI": url})


class Statements:
    def __init__(self):
        self.items: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.items.append((statement, parameters))


class RenderTimes:
    """Time spent rendering templates during each request, from Flask's own signals."""

    def __init__(self, app):
        self.app, self.began, self.times = app, 0.0, []

    def _before(self, sender, **extra):
        self.began = time.perf_counter()

    def _after(self, sender, **extra):
        self.times[-1] += time.perf_counter() - self.began

    def request(self, client, url: str):
        self.times.append(0.0)
        return client.get(url)

    def __enter__(self):
        before_render_template.connect(self._before, self.app)
        template_rendered.connect(self._after, self.app)
        return self

    def __exit__(self, *exc):
        before_render_template.disconnect(self._before, self.app)
        template_rendered.disconnect(self._after, self.app)


def page(app, client, url: str) -> dict:
    recorder = Statements()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", recorder)
    try:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", recorder)
    statements = list(recorder.items)

    def raw():
        conn = engine.raw_connection()
        try:
            cursor = conn.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
        finally:
            conn.close()

    with RenderTimes(app) as render:
        elapsed, raw_time = best_interleaved(lambda: render.request(client, url), raw)
    return {"queries": len(statements), "seconds": elapsed, "raw_sql_seconds": raw_time,
            "ratio": elapsed / raw_time if raw_time else None, "render_seconds": min(render.times)}


def served_ids(app) -> dict:
    """Ids the served pages need: a scale agency, one of its teams, a module, ten people."""
    with app.app_context():
        agency_id = db.session.scalar(text("SELECT min(id) FROM agency WHERE name LIKE 'Scale agency%'"))
        return {"agency": agency_id,
                "team": db.session.scalar(text("SELECT min(id) FROM team WHERE agency_id = :a"), {"a": agency_id}),
                "module": db.session.scalar(text("SELECT min(id) FROM module")),
                "people": db.session.scalars(text(
                    "SELECT id FROM \"user\" WHERE email LIKE 'scale-%' AND id % 97 = 0 ORDER BY id LIMIT 10")).all()}


def measure(app, size: int, folder: Path, rounds: int, pages_only: bool = False, served_only: bool = False,
            jobs_url: str | None = None) -> dict:
    result = {"practitioners": size, "load_average_before": os.getloadavg()}
    result["served"] = served.measure(app.config["SQLALCHEMY_DATABASE_URI"], served_ids(app),
                                      folder / "gunicorn.log", jobs_url)
    served.report(size, result["served"])
    if served_only:
        result["load_average_after"] = os.getloadavg()
        return result
    if not pages_only:
        result["export"] = measure_export(app, folder, rounds)
    with app.app_context():
        agency_id = db.session.scalar(text("SELECT min(id) FROM agency WHERE name LIKE 'Scale agency%'"))
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": "bench-coordinator@example.org", "password": served.PASSWORD})
    assert signed_in.status_code == 302 and "/sign-in" not in signed_in.location, signed_in.location
    result["pages"] = {
        "partnership dashboard": page(app, client, "/dashboard/"),
        "agency dashboard": page(app, client, f"/dashboard/agencies/{agency_id}"),
        "staff matrix (expired, page 2)": page(app, client, "/dashboard/staff?status=expired&page=2"),
    }
    result["load_average_after"] = os.getloadavg()
    return result


def measure_export(app, folder: Path, rounds: int) -> dict:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    out, base = folder / "ours.xlsx", folder / "baseline.xlsx"
    runs: dict[str, list[dict]] = {"ours": [], "baseline": []}
    for round_number in range(rounds):
        # ours, baseline, baseline, ours, ...: each side as often first as second.
        order = ("ours", "baseline") if round_number % 2 == 0 else ("baseline", "ours")
        for which in order:
            runs[which].append(export_process(which, url, out if which == "ours" else base))
    ours = min(r["seconds"] for r in runs["ours"])
    baseline = min(r["seconds"] for r in runs["baseline"])
    ours_cpu = min(r["cpu_seconds"] for r in runs["ours"])
    baseline_cpu = min(r["cpu_seconds"] for r in runs["baseline"])
    return {"seconds": ours, "baseline_seconds": baseline, "ratio": ours / baseline,
            "cpu_seconds": ours_cpu, "baseline_cpu_seconds": baseline_cpu, "cpu_ratio": ours_cpu / baseline_cpu,
            "bytes": out.stat().st_size,
            "peak_mib": max(r["peak_mib"] for r in runs["ours"]),
            "baseline_peak_mib": max(r["peak_mib"] for r in runs["baseline"]),
            "runs": runs}


def report(results: list[dict], meta: dict) -> None:
    print(f"\nDatabase: {meta['database']}   Machine: {meta['machine']}")
    for r in results:
        served.report(r["practitioners"], r["served"])
    if all("export" in r for r in results):
        report_exports(results, meta)
    if not all("pages" in r for r in results):
        return
    print("\nPages (goal: same queries at every size, <= 10; time <= 1.5x the same SQL run raw)")
    print(f"{'staff':>8} {'page':<32} {'queries':>7} {'page s':>8} {'raw s':>8} {'ratio':>6} {'render s':>9}")
    for r in results:
        for name, p in r["pages"].items():
            print(f"{r['practitioners']:>8,} {name:<32} {p['queries']:>7} {p['seconds']:>8.3f} "
                  f"{p['raw_sql_seconds']:>8.3f} {p['ratio']:>6.2f} {p['render_seconds']:>9.4f}")
    print("(render: the least time one request of the page spent rendering its template, part of page s)")


def report_exports(results: list[dict], meta: dict) -> None:
    runs = f"best of {meta['rounds']} interleaved runs each" if meta["rounds"] > 1 else "one run each"
    print(f"\nCompliance workbook export ({runs})")
    print(f"{'staff':>8} {'ours s':>8} {'raw s':>8} {'ratio':>6} {'ours cpu':>9} {'raw cpu':>8} {'cpu ratio':>9} "
          f"{'peak MiB':>9} {'raw peak':>9} {'MB file':>8}")
    for r in results:
        e = r["export"]
        print(f"{r['practitioners']:>8,} {e['seconds']:>8.2f} {e['baseline_seconds']:>8.2f} {e['ratio']:>6.2f} "
              f"{e['cpu_seconds']:>9.2f} {e['baseline_cpu_seconds']:>8.2f} {e['cpu_ratio']:>9.2f} "
              f"{e['peak_mib']:>9.1f} {e['baseline_peak_mib']:>9.1f} {e['bytes'] / 1e6:>8.1f}")
    print("(cpu: the exporting process's CPU time; on PostgreSQL the server's work is not in it. "
          "peak: resident memory of that process)")
    if len(results) > 1:
        first, last = results[0]["export"]["peak_mib"], results[-1]["export"]["peak_mib"]
        print(f"Peak memory from {results[0]['practitioners']:,} to {results[-1]['practitioners']:,} staff: "
              f"{100 * (last - first) / first:+.0f}% (goal: within 20%)")


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--rounds", type=positive, default=2, help="export runs per side, interleaved; best counts")
    parser.add_argument("--pages-only", action="store_true", help="skip the exports; measure the pages only")
    parser.add_argument("--served-only", action="store_true",
                        help="only the pages served by gunicorn to 10 coordinators at once, and the workbook's job")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database given and its practitioners; seed only what a size lacks")
    parser.add_argument("--jobs-url", help="the job queue on Redis (redis://127.0.0.1:6379/<db>) rather than "
                        "an SQLite file in a temporary folder")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url: the default SQLite database is made in a temporary folder")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = fresh_app(args.database_url, folder, reuse=args.reuse)
        with app.app_context():
            meta = {"database": db.engine.dialect.name, "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                    f"Python {platform.python_version()}", "when": time.strftime("%Y-%m-%d %H:%M"),
                    "rounds": args.rounds, "pages_only": args.pages_only, "reused": args.reuse}
        have = scale_practitioners(app)
        if have > min(sizes):
            sys.exit(f"The database holds {have:,} scale practitioners, more than {min(sizes):,}: "
                     f"give sizes from {have:,} up, or leave out --reuse to start afresh.")
        results = []
        for size in sizes:
            with app.app_context():
                began = time.perf_counter()
                if size > have:
                    seed_scale(size - have, agencies=args.agencies, seed=7)
                # The served app starts with no kept figures, whoever counted them before
                # (seeding, an earlier run), so those measured are the worker's own count of
                # this workforce: the bench waits for it (served.dashboard_ready).
                db.session.execute(delete(CountedFigures))
                db.session.commit()
                if db.engine.dialect.name == "sqlite":
                    # Fold the write-ahead log into the database, as a running service does;
                    # a huge uncheckpointed WAL would distort every later measurement.
                    with db.engine.connect() as conn:
                        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                else:
                    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                        conn.exec_driver_sql("VACUUM ANALYZE")
                if size > have:
                    print(f"seeded {size:,} practitioners in total (+{size - have:,} in {time.perf_counter() - began:.0f} s)",
                          flush=True)
                else:
                    print(f"reusing the {size:,} practitioners already seeded", flush=True)
                have = size
            results.append(measure(app, size, folder, args.rounds, args.pages_only, args.served_only, args.jobs_url))
            report(results[-1:], meta)
    report(results, meta)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"\nWritten to {args.out}")


if __name__ == "__main__":
    main()
