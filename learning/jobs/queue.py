"""The job queue: one Huey instance for the process, its storage chosen by the app's config.

- JOBS_URL (or REDIS_URL) set to a redis:// address: Redis, shared by every web and worker
  host (RedisHuey's storage).
- Otherwise: an SQLite file in instance/ (JOBS_SQLITE, SqliteHuey's storage), for one machine.
- JOBS_IMMEDIATE (on in tests): a task runs at once, in the process that asks for it.

Tasks are declared with `task` and `periodic` below, never with huey's decorators directly:
each runs in an app context of its own (a worker thread has none), so a task reads the
database and config as a request does.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, PriorityRedisStorage, SqliteStorage

huey = Huey("learning", results=False, immediate=True)
_bound: dict[str, Flask] = {}
log = logging.getLogger("learning.jobs")


def settings(app: Flask) -> tuple[bool, str, str]:
    """What the queue's storage depends on: immediate mode, the queue's name, and where."""
    config = app.config
    if config.get("JOBS_IMMEDIATE"):
        return True, config["JOBS_QUEUE_NAME"], ""
    url = config.get("JOBS_URL") or ""
    return False, config["JOBS_QUEUE_NAME"], url or config.get("JOBS_SQLITE") or str(Path(app.instance_path) / "jobs.db")


def configure(app: Flask) -> Huey:
    """Point the queue at `app`'s storage (again only when the settings changed)."""
    key = settings(app)
    if getattr(huey, "_learning_settings", None) != key:
        immediate, name, where = key
        huey.name = name
        huey._immediate = immediate
        if immediate:
            huey.storage = MemoryStorage(name)
        elif where.startswith(("redis://", "rediss://", "unix://")):
            # The priority kind of Redis storage, as SQLite's: see PRIORITY in tasks.py.
            huey.storage = PriorityRedisStorage(name, url=where)
        else:
            huey.storage = SqliteStorage(name, filename=where)
        huey._learning_settings = key  # a marker on the one instance
    return huey


def bind(app: Flask) -> None:
    """The app whose context tasks run in when the thread has none (the worker's threads)."""
    _bound["app"] = app
    configure(app)


def is_immediate() -> bool:
    return bool(current_app.config.get("JOBS_IMMEDIATE"))


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not the proxy
    return _bound["app"]


def _in_app(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        # A context of its own, even when the caller has one (immediate mode inside a
        # request): the task's database session is then its own, as in a worker.
        with _app().app_context():
            return fn(*args, **kwargs)

    return run


def task(**options: Any) -> Callable[[Callable], Any]:
    """A Huey task that runs in the app's context: `@task(retries=3, retry_delay=60)`.
    Call `name(args)` to queue it; it runs at once in immediate mode."""
    def decorator(fn: Callable) -> Any:
        wrapped = huey.task(**options)(_in_app(fn))
        return _Enqueuer(wrapped)

    return decorator


class _Enqueuer:
    """Calling it queues the task on the current app's queue."""

    def __init__(self, wrapped: Any):
        self.wrapped = wrapped
        self.call_local = wrapped.call_local

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            configure(current_app._get_current_object())  # type: ignore[attr-defined]  # the app, not the proxy
        return self.wrapped(*args, **kwargs)


def periodic(validate: Callable, **options: Any) -> Callable[[Callable], Any]:
    """A periodic task run by the worker's scheduler: `@periodic(crontab(minute="*/5"))`."""
    def decorator(fn: Callable) -> Any:
        return huey.periodic_task(validate, **options)(_in_app(fn))

    return decorator
