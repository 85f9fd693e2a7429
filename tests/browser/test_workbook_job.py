"""A coordinator asks for the compliance workbook, which is big enough (LARGE_EXPORT_STAFF
set low) to be prepared by the worker: the progress page shows it waiting, then rows
written, then a Download button; the file downloaded is the workbook. With JavaScript the
page moves its bar from the status JSON; without, it refreshes itself. Scanned with axe."""
from __future__ import annotations

import secrets
import signal
import time

import pytest
from openpyxl import load_workbook

from tests.browser.axe import Variant
from tests.browser.conftest import DESKTOP
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def queued_site(site, tmp_path, monkeypatch):
    """The served app with a real queue (an SQLite file of this test's) and a low threshold;
    the worker is started by the test, so the page can be seen waiting first."""
    from learning.compliance import compliance_workbook
    from learning.jobs import service
    from learning.jobs.queue import configure

    for key, value in {"LARGE_EXPORT_STAFF": 5, "JOBS_IMMEDIATE": False, "JOBS_SQLITE": str(tmp_path / "jobs.db"),
                       "JOBS_QUEUE_NAME": f"browser-{secrets.token_hex(3)}",
                       "JOB_FILE_DIR": str(tmp_path / "workbooks")}.items():
        monkeypatch.setitem(site.app.config, key, value)
    # The demo's workforce is small: report every 10 rows, save every report, and take a
    # moment over each, so the page is seen part-way.
    monkeypatch.setattr(compliance_workbook, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(service, "SAVE_EVERY_SECONDS", 0)
    real = service.Progress.__call__

    def slow(self, rows):
        time.sleep(0.4)
        real(self, rows)

    monkeypatch.setattr(service.Progress, "__call__", slow)
    yield site
    site.app.config["JOBS_IMMEDIATE"] = True
    configure(site.app)


class Worker:
    def __init__(self, app):
        from learning.jobs import periodic, tasks  # noqa: F401 - the worker's tasks
        from learning.jobs.queue import bind, huey

        bind(app)
        self.consumer = huey.create_consumer(workers=1, periodic=False, worker_type="thread")

    def __enter__(self):
        self.handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        self.consumer.start()  # sets a worker's signal handlers: the test process's go back after
        return self

    def __exit__(self, *exc):
        self.consumer.stop(graceful=True)
        for sig, handler in self.handlers.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize("variant", [pytest.param(DESKTOP, id="desktop"),
                                     pytest.param(Variant(1280, 800, javascript=False), id="desktop-nojs")])
def test_a_big_compliance_workbook_is_prepared_then_downloaded(visit, queued_site, variant, tmp_path):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.go("/dashboard/")
    tab.follow("Download the compliance workbook")
    assert tab.heading() == "Preparing your workbook"
    assert "Waiting to start" in tab.text()
    # Without JavaScript the page refreshes itself (a meta refresh, which axe reports under
    # WCAG 2.2.1 whatever the page offers); the page has a link that stops it, which 2.2.1
    # accepts, and the next test checks.
    tab.scan("workbook-job", "waiting", allow={"meta-refresh": "a refresh the person can stop: WCAG 2.2.1's turn-off"})
    if not variant.javascript:
        assert tab.page.get_by_role("link", name="Stop it updating").count() == 1

    with Worker(queued_site.app):
        if variant.javascript:
            # The script moves the bar without reloading the page.
            tab.page.get_by_text("rows written").wait_for(timeout=20_000)
            assert tab.heading() == "Preparing your workbook"
            value = int(tab.page.locator("#job-progress").get_attribute("value") or "0")
            assert 0 <= value < 100
            tab.scan("workbook-job", "running")
        # Ready: the script reloads the page once, or the page's own refresh brings it.
        tab.page.get_by_role("heading", name="Your workbook is ready").wait_for(timeout=30_000)
    tab.scan("workbook-job", "ready")
    path = tab.download("Download the workbook", tmp_path)
    assert path.name.startswith("compliance-") and path.suffix == ".xlsx"
    workbook = load_workbook(path, read_only=True)
    assert "Staff matrix" in workbook.sheetnames
