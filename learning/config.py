"""Configuration: defaults here, secrets and deployment settings from the environment."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else generated once into instance/ and reused.

    Generating it once (rather than per start) keeps sessions valid across restarts and
    across gunicorn workers, without a secret ever living in git.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'learning.db'}"
    # Accept the usual postgres:// forms and pin the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _day(name: str):
    """A date setting written YYYY-MM-DD, or None when unset; anything else stops the app starting."""
    from datetime import date

    value = (os.environ.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date written YYYY-MM-DD, such as 2026-03-01") from None


def _roles(value: str) -> frozenset[str]:
    """"coordinator, admin" -> {"coordinator", "admin"}; an unknown role is a typo that would
    silently leave someone without two-factor sign-in, so it stops the app starting."""
    from learning.models import Role

    roles = frozenset(part.strip().lower() for part in value.split(",") if part.strip())
    if unknown := roles - {r.value for r in Role}:
        raise ValueError(f"REQUIRE_2FA_FOR names unknown roles: {', '.join(sorted(unknown))}")
    return roles


def load(app, testing: bool = False, overrides: dict | None = None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = os.environ.get("FLASK_ENV") == "production" or os.environ.get("APP_ENV") == "production"
    app.config.update(
        SECRET_KEY=_secret_key(instance),
        SQLALCHEMY_DATABASE_URI=_database_url(instance),
        PARTNERSHIP_NAME=os.environ.get("PARTNERSHIP_NAME", "Northbrook Safeguarding Children Partnership"),
        # Printed in the header and footer of every page of every workbook.
        PROTECTIVE_MARKING=os.environ.get("PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE"),
        SERVICE_NAME="Safeguarding learning",
        # When the review's learning was launched (YYYY-MM-DD): the dashboards show the change
        # in compliance since then. Unset: since the first figures kept.
        LEARNING_LAUNCHED=_day("LEARNING_LAUNCHED"),
        # Scheduled reports: a workbook up to this size goes as an attachment; a bigger one
        # as a link to sign in and download it.
        SCHEDULED_REPORT_MAX_BYTES=int(os.environ.get("SCHEDULED_REPORT_MAX_BYTES", str(10 * 1024 * 1024))),
        # The partnership's time zone: session times are typed and shown in it, and calendar
        # invites carry them converted to UTC.
        TIME_ZONE=os.environ.get("TIME_ZONE", "Europe/London"),
        CONTENT_DIR=os.environ.get("CONTENT_DIR", str(Path(app.root_path).parent / "quizzes")),
        # A completion is "expiring" when it runs out within this many days.
        EXPIRING_WINDOW_DAYS=int(os.environ.get("EXPIRING_WINDOW_DAYS", "60")),
        # "Have you used this learning in your practice?" is asked this many days after a completion.
        FOLLOW_UP_DAYS=int(os.environ.get("FOLLOW_UP_DAYS", "90")),
        SQLITE_BUSY_TIMEOUT_MS=5000,
        # Sessions: signed cookies, so any worker serves any user. Both limits are enforced
        # by learning/auth/sessions.py from timestamps inside the signed cookie.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=int(os.environ.get("SESSION_LIFETIME_HOURS", "12"))),
        SESSION_IDLE_MINUTES=int(os.environ.get("SESSION_IDLE_MINUTES", "60")),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        # The app never issues remember-me cookies; these only shape the one it would clear.
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=production,
        PRODUCTION=production,
        WTF_CSRF_TIME_LIMIT=3600,
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        # Staff import: most data rows in one file; where an upload waits between preview
        # and confirm (one hour at most); how long an invitation link to set a password lasts.
        STAFF_IMPORT_MAX_ROWS=int(os.environ.get("STAFF_IMPORT_MAX_ROWS", "5000")),
        STAFF_IMPORT_DIR=str(instance / "uploads"),
        # A confirmed import of more rows than this is applied by the job queue's worker.
        STAFF_IMPORT_JOB_ROWS=int(os.environ.get("STAFF_IMPORT_JOB_ROWS", "500")),
        INVITATION_VALID_DAYS=7,
        # Forgotten-password links last this long, and each email address and each IP
        # address may ask for only so many (learning/auth/throttle.py).
        PASSWORD_RESET_VALID_MINUTES=60,
        PASSWORD_RESETS_PER_EMAIL=os.environ.get("PASSWORD_RESETS_PER_EMAIL", "5 per hour"),
        PASSWORD_RESETS_PER_IP=os.environ.get("PASSWORD_RESETS_PER_IP", "20 per hour"),
        # Roles that must use two-factor sign-in (learning/auth/two_factor.py): a comma list;
        # empty requires it of nobody (a local trial). Anyone else may still turn it on.
        REQUIRE_2FA_FOR=_roles(os.environ.get("REQUIRE_2FA_FOR", "coordinator,admin")),
        # Sign-in throttling (learning/auth/throttle.py). Redis when set, so every worker shares
        # the counts; if Redis goes away, each worker falls back to counting in memory
        # rather than refusing every sign-in.
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_KEY_PREFIX=os.environ.get("RATELIMIT_KEY_PREFIX", "learning"),
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_HEADERS_ENABLED=False,
        PASSWORD_HASH_METHOD="scrypt",
        # The address people use to reach the service: printed on certificates (the link
        # to verify them), in reminder emails, and in invitation links the CLI prints.
        BASE_URL=os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        # Public certificate checks, per IP address, so codes cannot be enumerated.
        VERIFY_RATE_LIMIT=os.environ.get("VERIFY_RATE_LIMIT", "30 per minute"),
        # Email. With no MAIL_SERVER, every message (reminders, invitations, password
        # resets) is written to OUTBOX_DIR as an .eml file instead.
        MAIL_SERVER=os.environ.get("MAIL_SERVER") or None,
        MAIL_PORT=int(os.environ.get("MAIL_PORT", "25")),
        MAIL_USE_TLS=_flag("MAIL_USE_TLS"),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME") or None,
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD") or None,
        MAIL_FROM=os.environ.get("MAIL_FROM", "Safeguarding learning <no-reply@example.org>"),
        MAIL_TIMEOUT_SECONDS=int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30")),
        OUTBOX_DIR=os.environ.get("OUTBOX_DIR", str(instance / "outbox")),
        LOGIN_FAILURES_PER_ACCOUNT=os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10 per 5 minutes"),
        LOGIN_FAILURES_PER_IP=os.environ.get("LOGIN_FAILURES_PER_IP", "10 per 5 minutes"),
        # The job queue (learning/jobs): Redis when JOBS_URL or REDIS_URL is set (every web and
        # worker host shares it), else an SQLite file in instance/. Immediate: tasks run where
        # they are asked for (tests).
        JOBS_URL=os.environ.get("JOBS_URL") or os.environ.get("REDIS_URL") or "",
        JOBS_SQLITE=os.environ.get("JOBS_SQLITE", str(instance / "jobs.db")),
        JOBS_QUEUE_NAME=os.environ.get("JOBS_QUEUE_NAME", "learning"),
        JOBS_IMMEDIATE=_flag("JOBS_IMMEDIATE"),
        # A workbook over this many staff is built by the worker, with a progress page; kept
        # JOB_FILE_HOURS for the person who asked. A running job silent this long lost its worker.
        LARGE_EXPORT_STAFF=int(os.environ.get("LARGE_EXPORT_STAFF", "2000")),
        JOB_FILE_HOURS=int(os.environ.get("JOB_FILE_HOURS", "24")),
        JOB_STALE_MINUTES=int(os.environ.get("JOB_STALE_MINUTES", "10")),
        # Files that outlive a request (learning/storage.py): "folder" (under instance/, one
        # host) or "database" (in the shared database, for several hosts).
        FILE_STORE=os.environ.get("FILE_STORE", "folder"),
        JOB_FILE_DIR=os.environ.get("JOB_FILE_DIR", str(instance / "workbooks")),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto. Without
        # this, every request seems to come from the proxy, and one person's failed sign-ins
        # would throttle everyone.
        TRUSTED_PROXIES=int(os.environ.get("TRUSTED_PROXIES", "0")),
        # How long figures that count the whole workforce are kept in a process before they
        # are counted again (learning/compliance/memo.py); 0 counts them at every request.
        SUMMARY_MEMO_SECONDS=int(os.environ.get("SUMMARY_MEMO_SECONDS", "30")),
        # The partnership's figures are counted by the worker every minute and kept
        # (learning/compliance/counted.py); older than this, pages ask it to count again
        # (and show the older figures, with their time, meanwhile). 0 counts them at every request.
        COUNTED_FIGURES_SECONDS=int(os.environ.get("COUNTED_FIGURES_SECONDS", "150")),
        # The figures of the questions staff get wrong are counted by the worker every 15
        # minutes and kept (learning/compliance/counted_questions.py); older than this, pages
        # ask it to count again (showing the older figures meanwhile). 0 counts them at every request.
        QUESTION_FIGURES_SECONDS=int(os.environ.get("QUESTION_FIGURES_SECONDS", "1800")),
    )
    if testing:
        app.config.update(
            TESTING=True,
            SUMMARY_MEMO_SECONDS=0,  # every figure counted afresh: tests write and read at once
            COUNTED_FIGURES_SECONDS=0,
            QUESTION_FIGURES_SECONDS=0,
            SQLALCHEMY_DATABASE_URI=os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance / 'test.db'}",
            WTF_CSRF_ENABLED=False,
            # Throttling stays on, as in production, but always in this process's memory:
            # the suite resets it between tests and must never touch a shared Redis.
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="memory://",
            # Tests never send real mail: they start their own SMTP server or use a temporary outbox.
            MAIL_SERVER=None,
            SERVER_NAME="localhost",
            # Jobs and their emails run at once, in the test's own process.
            JOBS_IMMEDIATE=True,
            # Two-factor sign-in is off unless a test turns it on: most tests are about
            # something else and sign coordinators in with a password alone.
            REQUIRE_2FA_FOR=frozenset(),
            # Hashing is deliberately slow; tests create hundreds of accounts.
            PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        )
    if overrides:
        app.config.update(overrides)
    if app.config["FILE_STORE"] not in ("folder", "database"):
        # A typo would leave each host with files the others cannot see: refuse to start.
        raise ValueError(f"FILE_STORE must be folder or database, not {app.config['FILE_STORE']!r}")
    # A server connection can be dropped (a restart, a failover), so each one is checked as
    # it leaves the pool. An SQLite file is opened in this process and never drops: the
    # check would be one more statement on every request for nothing.
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
