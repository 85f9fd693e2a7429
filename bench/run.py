"""Scale benchmark: exports and pages at 10k, 50k and 100k practitioners, side by side.

    .venv/bin/python bench/run.py                      # SQLite in a temporary folder
    .venv/bin/python bench/run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/run.py --sizes 2000,5000    # a quick look

The database given is wiped. For each size the workforce is grown with seed-scale, then:
- the compliance workbook is exported: wall time, and peak memory (the resident high-water
  mark of a fresh process running just that export), against a baseline in the same run
  that fetches the staff matrix and completions rows with one raw SQL query each and
  writes the same cells with plain openpyxl write-only;
- the partnership dashboard, an agency dashboard and the staff matrix page are requested
  through the app: SQL statements per page, and time against running the same SQL
  statements directly on the database connection.
Results print as a table and go to bench/results/latest.json (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import subprocess
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from learning import create_app  # noqa: E402
from learning.catalogue import sync_modules  # noqa: E402
from learning.compliance import Scope, lookups, pairs, required_modules  # noqa: E402
from learning.exports import compliance_workbook  # noqa: E402
from learning.extensions import db  # noqa: E402
from learning.models import Role, User  # noqa: E402
from learning.status import Status  # noqa: E402
from learning.scale import seed_scale  # noqa: E402

REPEAT = 3


def fresh_app(url: str | None, folder: Path):
    url = url or f"sqlite:///{folder / 'bench.db'}"
    app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                                  "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        sync_modules(app.extensions["catalogue"])
        coordinator = User(email="bench-coordinator@example.org", name="Bench Coordinator", role=Role.COORDINATOR.value)
        coordinator.set_password("bench-password-123")
        db.session.add(coordinator)
        db.session.commit()
    return app


def best(fn, repeat=REPEAT) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


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
        cursor.execute(
            f"SELECT p.user_id, p.module_id, p.status, p.expiry, u.name, u.email, u.job_title, u.agency_id, u.team_id "
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


def peak_memory(which: str, url: str, out: Path) -> float:
    """Peak resident memory (MiB) of a fresh process that runs one export, so the figure
    is the whole process's high-water mark, measured without slowing the timed runs."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = sys.argv[:1] + sys.argv[2:];"
        "from pathlib import Path; import bench.run as r; app = r.quiet_app(sys.argv[1]);"
        "ctx = app.app_context(); ctx.push();"
        "(r.export_ours if sys.argv[2] == 'ours' else r.export_baseline)(Path(sys.argv[3]));"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(ROOT), url, which, str(out)],
                            capture_output=True, text=True, check=True)
    return int(result.stdout.strip().splitlines()[-1]) / 1024


def quiet_app(url: str):
    return create_app(test_config={"SQLALCHEMY_DATABASE_URI": url})


class Statements:
    def __init__(self):
        self.items: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.items.append((statement, parameters))


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
    elapsed = best(lambda: client.get(url))

    def raw():
        conn = engine.raw_connection()
        try:
            cursor = conn.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
        finally:
            conn.close()

    raw_time = best(raw)
    return {"queries": len(statements), "seconds": elapsed, "raw_sql_seconds": raw_time,
            "ratio": elapsed / raw_time if raw_time else None}


def measure(app, size: int, folder: Path) -> dict:
    result = {"practitioners": size}
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        out = folder / "ours.xlsx"
        base = folder / "baseline.xlsx"
        ours = best(lambda: export_ours(out), repeat=1)
        baseline = best(lambda: export_baseline(base), repeat=1)
        result["export"] = {"seconds": ours, "baseline_seconds": baseline, "ratio": ours / baseline,
                            "bytes": out.stat().st_size,
                            "peak_mib": peak_memory("ours", url, out),
                            "baseline_peak_mib": peak_memory("baseline", url, base)}
        agency_id = db.session.scalar(text("SELECT min(id) FROM agency WHERE name LIKE 'Scale agency%'"))
    client = app.test_client()
    client.post("/sign-in", data={"email": "bench-coordinator@example.org", "password": "bench-password-123"})
    result["pages"] = {
        "partnership dashboard": page(app, client, "/dashboard/"),
        "agency dashboard": page(app, client, f"/dashboard/agencies/{agency_id}"),
        "staff matrix (expired, page 2)": page(app, client, "/dashboard/staff?status=expired&page=2"),
    }
    return result


def report(results: list[dict], meta: dict) -> None:
    print(f"\nDatabase: {meta['database']}   Machine: {meta['machine']}")
    print("\nCompliance workbook export")
    print(f"{'staff':>8} {'ours s':>8} {'raw s':>8} {'ratio':>6} {'peak MiB':>9} {'raw peak':>9} {'MB file':>8}"
          "   (peak: resident memory of a process running one export)")
    for r in results:
        e = r["export"]
        print(f"{r['practitioners']:>8,} {e['seconds']:>8.2f} {e['baseline_seconds']:>8.2f} {e['ratio']:>6.2f} "
              f"{e['peak_mib']:>9.1f} {e['baseline_peak_mib']:>9.1f} {e['bytes'] / 1e6:>8.1f}")
    if len(results) > 1:
        first, last = results[0]["export"]["peak_mib"], results[-1]["export"]["peak_mib"]
        print(f"Peak memory from {results[0]['practitioners']:,} to {results[-1]['practitioners']:,} staff: "
              f"{100 * (last - first) / first:+.0f}% (goal: within 20%)")
    print("\nPages (goal: same queries at every size, <= 10; time <= 1.5x the same SQL run raw)")
    print(f"{'staff':>8} {'page':<32} {'queries':>7} {'page s':>8} {'raw s':>8} {'ratio':>6}")
    for r in results:
        for name, p in r["pages"].items():
            print(f"{r['practitioners']:>8,} {name:<32} {p['queries']:>7} {p['seconds']:>8.3f} "
                  f"{p['raw_sql_seconds']:>8.3f} {p['ratio']:>6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = fresh_app(args.database_url, folder)
        with app.app_context():
            meta = {"database": db.engine.dialect.name, "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                    f"Python {platform.python_version()}", "when": time.strftime("%Y-%m-%d %H:%M")}
        results, have = [], 0
        for size in sizes:
            with app.app_context():
                began = time.perf_counter()
                seed_scale(size - have, agencies=args.agencies, seed=7)
                if db.engine.dialect.name == "sqlite":
                    # Fold the write-ahead log into the database, as a running service does;
                    # a huge uncheckpointed WAL would distort every later measurement.
                    with db.engine.connect() as conn:
                        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                else:
                    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                        conn.exec_driver_sql("VACUUM ANALYZE")
                print(f"seeded {size:,} practitioners in total (+{size - have:,} in {time.perf_counter() - began:.0f} s)",
                      flush=True)
                have = size
            results.append(measure(app, size, folder))
            report(results[-1:], meta)
    report(results, meta)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"\nWritten to {args.out}")


if __name__ == "__main__":
    main()
