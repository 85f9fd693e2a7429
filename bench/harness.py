"""Driving the real app from outside: a database made with the real migrations, gunicorn
with several workers, and a small browser (cookies, CSRF tokens from the forms, the
answer key read from quizzes/). Used by bench/load.py and tests/test_gunicorn.py.

Standard library only on the client side, so what is measured is the server.
"""
from __future__ import annotations

import html
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cached_property
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "load test walk in the hills"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- the database ---------------------------------------------------------------------

def migrate(database_url: str) -> None:
    """`flask db upgrade`, exactly as in production."""
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([str(BIN / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def seed_practitioners(database_url: str, count: int, password: str = PASSWORD) -> list[str]:
    """`count` practitioners in one agency, all with `password`; returns their emails."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from learning import create_app
    from learning.auth.passwords import normalise
    from learning.content.catalogue import sync_modules
    from learning.extensions import db
    from learning.models import Agency, Role, Sector, User

    app = create_app(test_config={"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        sync_modules(app.extensions["catalogue"])
        agency = db.session.scalar(select(Agency).where(Agency.name == "Load Test Agency"))
        if agency is None:
            agency = Agency(name="Load Test Agency", sector=Sector.OTHER.value)
            db.session.add(agency)
            db.session.flush()
        hashed = generate_password_hash(normalise(password))  # one hash: scrypt is slow on purpose
        emails = [f"load{i:05d}@example.org" for i in range(count)]
        existing = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
        db.session.add_all(User(email=e, name=f"Load {e[4:9]}", role=Role.PRACTITIONER.value, agency_id=agency.id,
                                password_hash=hashed) for e in emails if e not in existing)
        db.session.commit()
        db.engine.dispose()
    return emails


# --- the server -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """gunicorn serving app:app with gunicorn.conf.py, as in README's production section;
    with `job_worker`, also the job queue's worker beside it (`flask --app app worker`), as
    production runs one: same database, secret and settings, one queue both use."""

    database_url: str
    workers: int = 4
    env: dict = field(default_factory=dict)
    log: Path | None = None
    port: int = field(default_factory=free_port)
    target: str = "app:app"
    ready_path: str = "/sign-in"
    job_worker: bool = False
    # The queue: Redis at this address (redis://host:6379/<db>) when given, else SqliteHuey's
    # file in a temporary instance folder of the server's own.
    jobs_url: str | None = None
    process: subprocess.Popen | None = None
    worker_process: subprocess.Popen | None = None
    _instance: tempfile.TemporaryDirectory | None = field(default=None, init=False, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
                # No control socket: its default path is shared, and would be taken from
                # (or removed under) any other gunicorn on the machine.
                "--no-control-socket", self.target]

    def worker_command(self) -> list[str]:
        return [str(BIN / "flask"), "--app", "app", "worker", "--workers", "1"]

    def _environment(self) -> dict:
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": secrets.token_urlsafe(32),
               "PYTHONUNBUFFERED": "1"}
        if self.job_worker:
            self._instance = tempfile.TemporaryDirectory(prefix="bench-instance-")
            folder = Path(self._instance.name)
            if not self.jobs_url:
                env.pop("REDIS_URL", None)  # the config would take it as the queue's address
            env.update({
                # Finished workbooks, the outbox and (without Redis) the queue's file go in a
                # folder of this server's own, removed when it stops.
                "INSTANCE_PATH": str(folder), "JOBS_SQLITE": str(folder / "jobs.db"),
                "JOBS_URL": self.jobs_url or "", "JOBS_IMMEDIATE": "",
                # A queue name of its own, so two servers sharing one Redis never take each
                # other's jobs.
                "JOBS_QUEUE_NAME": f"bench-{self.port}",
                # No real mail: the worker's daily tasks could otherwise email every seeded person.
                "MAIL_SERVER": ""})
        return {**env, **self.env}

    def start(self, timeout: float = 60) -> Server:
        env = self._environment()
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=out, stderr=out,
                                        start_new_session=True)
        if self.job_worker:
            self.worker_process = subprocess.Popen(self.worker_command(), cwd=ROOT, env=env, stdout=out, stderr=out,
                                                   start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            if self.worker_process and self.worker_process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the job worker exited with {self.worker_process.returncode}; see {self.log}")
            try:
                if Browser(self.base).get(self.ready_path).status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start in time")

    def job_worker_memory(self) -> dict[str, float]:
        """The job worker's resident memory now and its peak (VmRSS, VmHWM), in MiB."""
        lines = Path(f"/proc/{self.worker_process.pid}/status").read_text().splitlines()
        fields = {line.split(":")[0]: line.split()[1] for line in lines if line.startswith(("VmRSS", "VmHWM"))}
        return {"rss_mib": int(fields["VmRSS"]) / 1024, "peak_mib": int(fields["VmHWM"]) / 1024}

    def reset_job_worker_peak(self) -> bool:
        """Start the job worker's peak memory afresh from its present size (Linux: "5" to
        clear_refs), so a later peak is that of the work done since. False if refused."""
        try:
            Path(f"/proc/{self.worker_process.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def worker_serving(self, client_port: int) -> int | None:
        """The worker holding the server end of the TCP connection from `client_port`."""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not Path(table).exists():
                continue
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local_port = int(parts[1].rsplit(":", 1)[1], 16)
                remote_port = int(parts[2].rsplit(":", 1)[1], 16)
                if local_port == self.port and remote_port == client_port:
                    inodes.add(parts[9])
        for pid in self.worker_pids():
            fd_dir = Path(f"/proc/{pid}/fd")
            for fd in fd_dir.iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return pid
        return None

    def stop(self) -> None:
        for process in (self.process, self.worker_process):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        if self._instance:
            self._instance.cleanup()
            self._instance = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- the browser ----------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    content: bytes
    seconds: float

    @cached_property
    def body(self) -> str:
        return self.content.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf(self) -> str:
        return CSRF_TOKEN.search(self.body).group(1)


class Browser:
    """One person's browser: keeps cookies, never follows redirects by itself."""

    def __init__(self, base: str, timings: list | None = None):
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.cookies: dict[str, str] = {}
        self.timings = timings  # (kind, seconds) for every request, if given
        self.on_connect = None  # called with the local port before the request is sent

    def request(self, method: str, path: str, form: dict | None = None, kind: str = "") -> Response:
        body = urlencode(form or {}, doseq=True) if method == "POST" else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        started = time.perf_counter()
        try:
            conn.connect()
            if self.on_connect:
                self.on_connect(conn.sock.getsockname()[1])
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            content = raw.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        if self.timings is not None:
            self.timings.append((kind or method, seconds))
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, content, seconds)

    def get(self, path: str, kind: str = "") -> Response:
        return self.request("GET", path, kind=kind)

    def post(self, path: str, form: dict, kind: str = "") -> Response:
        return self.request("POST", path, form, kind=kind)

    def sign_in(self, email: str, password: str = PASSWORD) -> Response:
        page = self.get("/sign-in", kind="sign-in page")
        return self.post("/sign-in", {"csrf_token": page.csrf(), "email": email, "password": password}, kind="sign in")


# --- answering questions --------------------------------------------------------------

def module_sizes() -> dict[str, int]:
    """Each module's slug and the number of questions an attempt draws, from quizzes/."""
    from learning.content import load_catalogue

    catalogue, errors = load_catalogue(ROOT / "quizzes")
    if errors:
        raise RuntimeError(errors)
    return {slug: module.questions_per_attempt for slug, module in catalogue.modules.items()}


class AnswerKey:
    """Reads a question page as a person would (prompt and option labels) and picks the
    right options, or a wrong one, using the module files in quizzes/."""

    def __init__(self):
        from learning.content import load_catalogue

        catalogue, errors = load_catalogue(str(ROOT / "quizzes"))
        if errors:
            raise RuntimeError(errors)
        self.questions = {(slug, _plain(q.prompt)): q for slug, m in catalogue.modules.items() for q in m.questions}
        self.slugs = sorted(catalogue.modules)

    def choose(self, slug: str, page: str, right: bool) -> list[str]:
        prompt = _plain(re.search(r'<h1 class="govuk-fieldset__heading">(.*?)</h1>', page, re.S).group(1))
        question = self.questions[(slug, prompt)]
        labels = {m[0]: _plain(m[1]) for m in re.findall(r'<label[^>]*for="([^"]+)"[^>]*>(.*?)</label>', page, re.S)}
        values = dict(re.findall(r'<input[^>]*id="([^"]+)"[^>]*name="answer"[^>]*value="([^"]+)"', page))
        by_text = {labels[input_id]: value for input_id, value in values.items()}
        correct = {_plain(o.text) for o in question.options if o.correct}
        if right:
            return [by_text[t] for t in by_text if t in correct]
        return [next(v for t, v in by_text.items() if t not in correct)]


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


class UnexpectedResponse(Exception):
    pass


def expect(response: Response, status: int, where: str = "") -> Response:
    if response.status != status:
        raise UnexpectedResponse(f"{where}: expected {status}, got {response.status} {response.location}".strip())
    return response


def attempt_id_in(location: str) -> int:
    return int(re.search(r"/attempts/(\d+)/", location).group(1))


def start_module(browser: Browser, slug: str) -> int:
    """Open the module page and select Start; return the attempt's id."""
    page = expect(browser.get(f"/modules/{slug}", kind="module page"), 200, "module page")
    started = expect(browser.post(f"/modules/{slug}/start", {"csrf_token": page.csrf()}, kind="start"), 302, "start")
    return attempt_id_in(started.location)


def answer_questions(browser: Browser, key: AnswerKey, slug: str, attempt_id: int, wrong: int = 0) -> str:
    """Answer every question in order, reading each feedback page, the first `wrong` of
    them wrongly; return the path of the check-and-submit page."""
    path = f"/attempts/{attempt_id}/questions/1"
    number = 0
    while "/questions/" in path:
        number += 1
        page = expect(browser.get(path, kind="question"), 200, path)
        values = key.choose(slug, page.body, right=number > wrong)
        answered = expect(browser.post(path, {"csrf_token": page.csrf(), "answer": values}, kind="answer"), 302, path)
        feedback = expect(browser.get(answered.location, kind="feedback"), 200, answered.location)
        path = re.search(r'href="(/attempts/\d+/(?:questions/\d+|check))"[^>]*>', feedback.body.split("</h1>", 1)[1]).group(1)
    return path


def submit(browser: Browser, check_path: str) -> Response:
    page = expect(browser.get(check_path, kind="check"), 200, check_path)
    form_action = re.search(r'<form method="post" action="([^"]+/submit)"', page.body).group(1)
    return browser.post(form_action, {"csrf_token": page.csrf()}, kind="submit")
