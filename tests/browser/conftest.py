"""Real-browser fixtures: the app served on 127.0.0.1 with its own SQLite database (real
migrations, demo data, CSRF on), headless Chromium from Debian's packages driven by
Playwright, and a `visit` factory that opens a tab at a given viewport.

Without Chromium (or Playwright) every browser test is skipped with the reason, unless
BROWSER_TESTS=required, when they fail instead. `make test` installs Chromium when it is
missing and it runs as root.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.browser.axe import RECORDER, Variant, watch
from tests.browser.pages import Site, Visit, cheap_password_hashes
from tests.server_log import TracebackCatcher

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Playwright adds a fresh --user-data-dir in a temporary folder for every launch
    # (it refuses one given here).
]

DESKTOP = Variant(1280, 800)
PHONE = Variant(320, 640)
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="320px")]


def _unavailable(reason: str):
    if os.environ.get("BROWSER_TESTS") == "required":
        pytest.fail(f"browser tests are required here: {reason}", pytrace=False)
    pytest.skip(reason)


SERVER_LOG = TracebackCatcher()


@pytest.fixture(autouse=True)
def _clean_tables():
    """Browser tests use their own database (below), not the suite's: nothing to clean."""
    yield


@pytest.fixture(autouse=True)
def _no_traceback_in_the_server_log():
    """A test during which the live server logged an error fails, with the traceback."""
    yield
    if caught := SERVER_LOG.take():
        pytest.fail("the live server logged an error:\n" + "\n".join(caught), pytrace=False)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The app on a free port of 127.0.0.1, in a thread, with its own database."""
    from flask_migrate import upgrade
    from werkzeug.serving import WSGIRequestHandler, make_server

    from learning import create_app
    from learning.demo import seed_demo

    database = tmp_path_factory.mktemp("browser") / "browser.db"
    app = create_app(testing=True, test_config={
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "WTF_CSRF_ENABLED": True,   # the browser posts real forms with real tokens
        "SERVER_NAME": None,        # served as 127.0.0.1:<port>, not localhost
        # Many sign-ins from one address in a few seconds: limits far above what the journeys
        # make. Not RATELIMIT_ENABLED=False: the limiter is one object for every app in the
        # process, and that would switch it off for the suite's own app too.
        **{name: "10000 per minute" for name in ("LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_IP",
                                                  "VERIFY_RATE_LIMIT", "PASSWORD_RESETS_PER_EMAIL",
                                                  "PASSWORD_RESETS_PER_IP")},
        "PROPAGATE_EXCEPTIONS": False,  # an error is the app's 500 page, as in production
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,  # static files from the browser cache, not re-checked per page
        "OUTBOX_DIR": str(database.parent / "outbox"),  # emails as .eml files, read by the journeys
        "REQUIRE_2FA_FOR": frozenset({"coordinator", "admin"}),  # as in production
    })
    with app.app_context(), cheap_password_hashes():
        upgrade()
        seed_demo()

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    SERVER_LOG.attach(app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield Site(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=5)
    SERVER_LOG.detach(app)
    if caught := SERVER_LOG.take():
        pytest.fail("the live server logged an error:\n" + "\n".join(caught), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM}; install it with "
                     "`apt-get install chromium chromium-driver` (`make test` does this when run as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure means no browser here
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def visit(browser, site, request):
    """visit(variant) -> a Visit in a fresh browser context (no cookies) at that viewport,
    with JavaScript on or off. Screenshots go under tests/screenshots/<variant>/<test>/."""
    contexts = []
    journey = request.node.originalname.removeprefix("test_")

    def open_visit(variant: Variant, name: str | None = None) -> Visit:
        context = browser.new_context(
            viewport={"width": variant.width, "height": variant.height},
            java_script_enabled=variant.javascript,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch(page, variant, name or journey)
        return Visit(page, site, variant)

    yield open_visit
    for context in contexts:
        context.close()


def pytest_sessionfinish(session):
    RECORDER.write()


def pytest_terminal_summary(terminalreporter):
    lines = RECORDER.report_lines()
    if lines:
        terminalreporter.section("accessibility (axe-core)")
        for line in lines:
            terminalreporter.write_line(line)
