"""A short-lived memo of figures that count the whole workforce (the partnership dashboard's,
how many staff match a filter), per process.

At 100,000 staff such a figure counts 800,000 summary rows: a fraction of a second, but a
coordinator's page must answer within 300 ms while ten others are asking too. So each
figure is kept for `SUMMARY_MEMO_SECONDS` (30 by default; 0 keeps nothing), and forgotten
at once when this process writes anything the summary depends on (learning/compliance/
summary.py calls `clear`). Another process's writes show within that many seconds. Figures
for one agency or one team are cheap and are never kept.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, has_app_context

T = TypeVar("T")
_kept: dict[Hashable, tuple[float, object]] = {}
_lock = threading.Lock()
MAX_KEPT = 500


def _seconds() -> float:
    return float(current_app.config.get("SUMMARY_MEMO_SECONDS", 30)) if has_app_context() else 0.0


def kept(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned for `key` less than the memo's seconds ago."""
    seconds = _seconds()
    if seconds <= 0:
        return compute()
    now = time.monotonic()
    with _lock:
        found = _kept.get(key)
    if found is not None and found[0] > now:
        return found[1]  # type: ignore[return-value]  # stored by this function for this key
    value = compute()
    with _lock:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = (now + seconds, value)
    return value


def clear() -> None:
    with _lock:
        _kept.clear()
