"""Big workbooks as jobs: the progress page, who may download, expiry, failure, a worker
that dies, one job for two requests, and the progress figures."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from learning.extensions import db
from learning.jobs import service
from learning.jobs.models import Job, JobStatus
from learning.models import AuditEvent, Role, utcnow
from learning.storage import store
from tests.conftest import sign_in

SLUG = "police-protection"


@pytest.fixture(autouse=True)
def small_threshold(app, tmp_path, monkeypatch):
    """Every workbook of two or more staff goes through a job; files in this test's folder."""
    monkeypatch.setitem(app.config, "LARGE_EXPORT_STAFF", 2)
    monkeypatch.setitem(app.config, "JOB_FILE_DIR", str(tmp_path / "workbooks"))
    return tmp_path / "workbooks"


@pytest.fixture
def staff(people, records):
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A", name="Lee Lead")
    mine = people.user("mine@example.org", agency="Police A", name="Mina Mine")
    theirs = people.user("theirs@example.org", agency="Police B", name="Theo Theirs")
    records.completion(mine, SLUG, completed_at=utcnow() - timedelta(days=10))
    records.completion(theirs, SLUG, completed_at=utcnow() - timedelta(days=10))
    return lead, mine, theirs


def ask(client, path="/dashboard/compliance.xlsx") -> Job:
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/jobs/"), response.location
    return db.session.get(Job, int(response.location.rsplit("/", 1)[1]))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_big_workbook_is_prepared_as_a_job_and_downloaded_by_the_person_who_asked(client, staff):
    lead, _, _ = staff
    sign_in(client, lead)
    job = ask(client)
    db.session.refresh(job)
    assert (job.status, job.kind, job.user_id) == (JobStatus.DONE.value, "compliance", lead.id)
    assert job.rows_expected == job.rows_done == 3  # two people in the matrix, one completion
    assert json.loads(job.scope)["agencies"] == [lead.agency_id]
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Your workbook is ready" in page and f"/jobs/{job.id}/download" in page
    assert 'http-equiv="refresh"' not in page, "a finished job's page stops refreshing"
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(response.data))
    names = [row[0] for row in wb["Staff matrix"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert "Mina Mine" in names and "Theo Theirs" not in names
    assert f'filename="{job.filename}"' in response.headers["Content-Disposition"]
    assert actions()[-3:] == ["job_requested", "export_compliance", "job_download"]


def test_the_progress_page_refreshes_itself_while_the_job_runs(client, staff):
    lead, _, _ = staff
    job = Job(user_id=lead.id, kind="compliance", scope=json.dumps({"agencies": [lead.agency_id]}),
              status=JobStatus.RUNNING.value, rows_done=250, rows_expected=1000, started_at=utcnow() - timedelta(seconds=30),
              heartbeat_at=utcnow(), filename="compliance.xlsx")
    db.session.add(job)
    db.session.commit()
    sign_in(client, lead)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Preparing your workbook" in page
    assert "<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>" in page
    assert f'href="/jobs/{job.id}?updates=off"' in page, "a link that stops the refresh (WCAG 2.2.1)"
    stopped = client.get(f"/jobs/{job.id}?updates=off").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in stopped and "Refresh the page" in stopped
    assert "250 of 1,000 rows written" in page and 'value="25"' in page
    assert "About 2 minutes left" in page  # 30 s for a quarter: 90 s for the rest
    assert "job_progress.mjs" in page
    state = client.get(f"/jobs/{job.id}/status").get_json()
    assert state == {"status": "running", "rows_done": 250, "rows_expected": 1000, "percent": 25,
                     "time_left": "About 2 minutes left", "kept": False, "download": None}


def test_progress_figures():
    job = Job(status=JobStatus.QUEUED.value, rows_done=0, rows_expected=0)
    assert service.figures(job).percent == 0 and service.figures(job).time_left == "Working out how long this will take"
    job = Job(status=JobStatus.RUNNING.value, rows_done=900, rows_expected=1000, started_at=utcnow() - timedelta(seconds=9))
    figures = service.figures(job)
    assert figures.percent == 90 and figures.seconds_left in (1, 2) and figures.time_left == "Less than a minute left"
    job.rows_done = job.rows_expected
    assert service.figures(job).percent == 99, "never 100% until it is done"
    job.status = JobStatus.DONE.value
    assert service.figures(job).percent == 100


def test_the_progress_callback_counts_every_row_and_costs_one_save_a_second(ctx, people, monkeypatch):
    user = people.user("lead@example.org", role=Role.AGENCY_LEAD)
    job = Job(user_id=user.id, kind="compliance", scope="{}", filename="x.xlsx")
    db.session.add(job)
    db.session.commit()
    saves = []
    progress = service.Progress(job.id)
    original = progress.save
    monkeypatch.setattr(progress, "save", lambda force=False: (saves.append(force), original(force)))
    progress.expect(10_000)
    for _ in range(20):
        progress(500)
    assert progress.done == 10_000
    assert len(saves) <= 2, "rows are counted in memory; the count is saved at most once a second"
    progress.save()
    db.session.refresh(job)
    assert (job.rows_done, job.rows_expected) == (10_000, 10_000)


def test_someone_else_gets_a_404_for_the_job_its_status_and_its_file(app, client, staff, people):
    lead, _, _ = staff
    sign_in(client, lead)
    job = ask(client)
    for other in (people.user("cora@example.org", role=Role.COORDINATOR),
                  people.user("lou@example.org", role=Role.AGENCY_LEAD, agency="Police A")):
        theirs = app.test_client()
        sign_in(theirs, other)
        for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/status", f"/jobs/{job.id}/download"):
            assert theirs.get(path).status_code == 404, path
        assert theirs.post(f"/jobs/{job.id}/retry").status_code == 404


def test_a_person_who_lost_the_agency_since_is_refused_the_file(client, staff, people):
    lead, _, _ = staff
    sign_in(client, lead)
    job = ask(client)
    lead.agency_id = people.agency("Police B").id  # moved to another agency since asking
    db.session.commit()
    assert client.get(f"/jobs/{job.id}/download").status_code == 403
    assert actions()[-1] == "job_download_refused"


def test_two_requests_for_the_same_workbook_share_one_job(app, client, staff, monkeypatch):
    lead, _, _ = staff
    sign_in(client, lead)
    monkeypatch.setattr(service, "enqueue", lambda job: None)  # nobody takes it yet
    first, second = ask(client), ask(client)
    assert first.id == second.id
    assert db.session.scalar(select(func.count(Job.id))) == 1
    assert actions().count("job_requested") == 2, "each request is in the audit trail"
    other = ask(client, "/dashboard/compliance.xlsx?status=expired")
    assert other.id != first.id, "a different filter is a different workbook"


def test_a_failed_job_says_so_and_try_again_makes_a_new_one(app, client, staff, monkeypatch, caplog):
    from learning.compliance import compliance_workbook

    lead, _, _ = staff
    sign_in(client, lead)
    real_build = compliance_workbook.build

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(compliance_workbook, "build", broken)
    job = ask(client)
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED.value and job.active_key is None and job.file_key is None
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Your workbook could not be prepared" in page and "Try again" in page
    assert "disk is full" not in page, "the person reads plain words; the log has the traceback"
    assert any("the disk is full" in (r.exc_text or "") for r in caplog.records if r.exc_info or r.exc_text) or \
        any(r.exc_info and "the disk is full" in str(r.exc_info[1]) for r in caplog.records)
    assert client.get(f"/jobs/{job.id}/download").location == f"/jobs/{job.id}"
    monkeypatch.setattr(compliance_workbook, "build", real_build)
    again = client.post(f"/jobs/{job.id}/retry")
    new = db.session.get(Job, int(again.location.rsplit("/", 1)[1]))
    assert new.id != job.id and new.status == JobStatus.DONE.value


def test_a_job_whose_worker_died_is_tried_once_more_then_fails(app, client, staff, monkeypatch):
    lead, _, _ = staff
    queued = []
    monkeypatch.setattr(service, "enqueue", queued.append)
    long_ago = utcnow() - timedelta(minutes=app.config["JOB_STALE_MINUTES"] + 1)
    job = Job(user_id=lead.id, kind="compliance", scope=json.dumps({"agencies": [lead.agency_id]}),
              active_key="compliance:x", status=JobStatus.RUNNING.value, tries=1, started_at=long_ago,
              heartbeat_at=long_ago, filename="compliance.xlsx")
    db.session.add(job)
    db.session.commit()
    assert service.clean_up()["jobs_recovered"] == 1
    db.session.refresh(job)
    assert job.status == JobStatus.QUEUED.value and [j.id for j in queued] == [job.id]
    # The second worker dies too (it started the job, then went silent).
    job.status, job.tries, job.heartbeat_at = JobStatus.RUNNING.value, 2, long_ago
    db.session.commit()
    sign_in(client, lead)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)  # the page itself notices
    assert "Your workbook could not be prepared" in page and "restarted" in page
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED.value and job.active_key is None


def test_files_are_deleted_after_the_hours_they_are_kept(app, client, staff, small_threshold):
    lead, _, _ = staff
    sign_in(client, lead)
    job = ask(client)
    db.session.refresh(job)
    key = job.file_key
    assert store().exists(key) and len(list(small_threshold.iterdir())) == 1
    assert service.clean_up()["files_deleted"] == 0, "a new file stays"
    job.finished_at = utcnow() - timedelta(hours=app.config["JOB_FILE_HOURS"], minutes=1)
    db.session.commit()
    assert service.clean_up()["files_deleted"] == 1
    db.session.refresh(job)
    assert job.file_key is None and not store().exists(key) and list(small_threshold.iterdir()) == []
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "no longer kept" in page and "Prepare it again" in page
    assert client.get(f"/jobs/{job.id}/download").location == f"/jobs/{job.id}"


def test_small_workbooks_still_download_at_once(app, client, staff, monkeypatch):
    lead, _, _ = staff
    monkeypatch.setitem(app.config, "LARGE_EXPORT_STAFF", 2000)
    sign_in(client, lead)
    response = client.get("/dashboard/compliance.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_the_other_workbooks_run_as_jobs_too(app, client, staff, people, monkeypatch):
    from datetime import date

    lead, mine, _ = staff
    sign_in(client, lead)
    today = date.today()
    job = ask(client, f"/dashboard/completions?module={SLUG}&agency={lead.agency_id}")
    db.session.refresh(job)
    assert (job.kind, job.status, job.rows_expected) == ("completions", JobStatus.DONE.value, 1)
    job = ask(client, f"/courses/non-attendance?start={today.day}&start={today.month}&start={today.year}"
                      f"&end={today.day}&end={today.month}&end={today.year}")
    db.session.refresh(job)
    assert (job.kind, job.status) == ("non-attendance", JobStatus.DONE.value)
    monkeypatch.setitem(app.config, "LARGE_EXPORT_STAFF", 1)  # Mina's data: one completion, one row
    admin = app.test_client()
    sign_in(admin, people.user("ada@example.org", role=Role.ADMIN))
    job = ask(admin, f"/people/{mine.id}/data.xlsx")  # one person, but rows over the threshold
    db.session.refresh(job)
    assert (job.kind, job.status) == ("subject-access", JobStatus.DONE.value)
    assert admin.get(f"/jobs/{job.id}/download").status_code == 200


def test_the_command_line_export_prints_plain_progress_lines_when_not_on_a_terminal(runner, staff, tmp_path):
    out = tmp_path / "compliance.xlsx"
    result = runner.invoke(args=["export", "compliance", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Compliance workbook: 5 rows to write"  # three people, two completions
    assert "Compliance workbook: done, 5 rows written" in lines
    assert "\r" not in result.output, "no bar redraws in a log"
    assert out.exists()


def test_the_progress_bar_on_a_terminal_counts_rows(monkeypatch):
    import click

    from learning.exports import progress as module

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    real = click.progressbar
    monkeypatch.setattr(module.click, "progressbar", lambda **kwargs: real(file=screen, **kwargs))
    with module.cli_progress("Rows", 1000, terminal=True) as progress:
        for _ in range(4):
            progress(250)
    assert "Rows" in screen.getvalue() and "1000/1000" in screen.getvalue()


def test_a_job_no_worker_ever_takes_fails_in_plain_words(app, client, staff):
    lead, _, _ = staff
    job = Job(user_id=lead.id, kind="compliance", scope=json.dumps({"agencies": [lead.agency_id]}),
              active_key="compliance:y", status=JobStatus.QUEUED.value, filename="compliance.xlsx",
              created_at=utcnow() - timedelta(minutes=app.config["JOB_STALE_MINUTES"] * 2))
    db.session.add(job)
    db.session.commit()
    assert service.clean_up()["jobs_recovered"] == 0, "a queue may be long: it waits a while"
    job.created_at = utcnow() - timedelta(minutes=app.config["JOB_STALE_MINUTES"] * 3 + 1)
    db.session.commit()
    sign_in(client, lead)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Your workbook could not be prepared" in page and "not running" in page
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED.value


def test_a_big_staff_import_is_applied_by_the_worker(app, client, people, tmp_path, monkeypatch):
    from learning.models import User

    monkeypatch.setitem(app.config, "STAFF_IMPORT_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "STAFF_IMPORT_JOB_ROWS", 1)
    people.agency("Test Police")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    csv = b"name,email,agency\r\nAmy Adams,amy@example.org,Test Police\r\nBen Begum,ben@example.org,Test Police\r\n"
    uploaded = client.post("/import-staff", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv), "staff.csv")})
    token = uploaded.location.rsplit("/", 1)[1]
    confirmed = client.post(f"/import-staff/{token}")
    assert confirmed.status_code == 302 and confirmed.location.startswith("/jobs/")
    job = db.session.get(Job, int(confirmed.location.rsplit("/", 1)[1]))
    db.session.refresh(job)
    assert (job.kind, job.status, job.rows_done, job.file_key) == ("staff-import", JobStatus.DONE.value, 2, None)
    assert job.outcome["created"] == 2
    assert set(db.session.scalars(select(User.email).where(User.email.in_(["amy@example.org", "ben@example.org"])))) == \
        {"amy@example.org", "ben@example.org"}
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Staff imported" in page and "2 new" in page and "Download" not in page
    assert "staff_import" in actions()
    assert client.post(f"/import-staff/{token}").status_code == 404, "the upload is gone once imported"


def test_a_staff_import_that_no_longer_checks_out_fails_and_changes_nothing(app, client, people, tmp_path, monkeypatch):
    from learning.people import staff_import

    monkeypatch.setitem(app.config, "STAFF_IMPORT_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "STAFF_IMPORT_JOB_ROWS", 1)
    people.agency("Test Police")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    csv = b"name,email,agency\r\nAmy Adams,amy@example.org,Test Police\r\nBen Begum,ben@example.org,Test Police\r\n"
    token = client.post("/import-staff", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(csv), "staff.csv")}).location.rsplit("/", 1)[1]

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(staff_import, "apply", broken)
    confirmed = client.post(f"/import-staff/{token}")
    job = db.session.get(Job, int(confirmed.location.rsplit("/", 1)[1]))
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Your staff could not be imported" in page and "nothing was changed" in page and "Try again" in page


def test_a_big_partnership_s_board_pack_is_prepared_as_a_job_and_downloaded_as_a_pdf(app, client, people, monkeypatch):
    from pypdf import PdfReader

    monkeypatch.setitem(app.config, "LARGE_EXPORT_STAFF", 1)
    coordinator = people.user("cora@example.org", role=Role.COORDINATOR, agency="Police A")
    people.user("p@example.org", agency="Police A")
    sign_in(client, coordinator)
    response = client.get("/dashboard/board-pack.pdf")
    assert response.status_code == 302 and "/jobs/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Your board pack is ready" in page and "Download the board pack" in page
    pdf = client.get(response.location + "/download")
    assert pdf.mimetype == "application/pdf"
    assert "board pack" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert AuditEvent.query.filter_by(action="export_board_pack").count() == 1
