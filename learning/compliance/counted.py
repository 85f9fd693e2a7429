"""The partnership's figures, counted by the job queue's worker and kept in the database, so
that no page waits while the whole workforce is counted.

At 100,000 staff the partnership dashboard's figures read 800,000 summary rows: about a
second of the database's time, far more than a page may take while other coordinators are
asking too. So the worker counts them every minute (learning/jobs/periodic.py) and keeps
them in one row of `counted_figures` that every web process reads. Pages say when they were
counted. Figures older than COUNTED_FIGURES_SECONDS (the worker has stopped or fallen
behind) are still shown, with their time, and the worker is asked to count again; before
the first count there are none, and the page says they are being counted.
With COUNTED_FIGURES_SECONDS=0 (the tests) they are counted in the request, every time.

The staff list's count of people matching a status across agencies comes from the same
figures (`staff_total`), so it always agrees with the number on the dashboard that led to it.

`keep` and `read_kept` are shared with the other kind of kept figures, the questions staff
get wrong (learning/compliance/counted_questions.py): one row of `counted_figures` each.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from learning.compliance import Scope
from learning.compliance.counted_table import CountedFigures
from learning.compliance.partnership import PartnershipCounts, count_partnership
from learning.compliance.status import Status
from learning.extensions import db
from learning.models import utcnow

PARTNERSHIP = "partnership"
STATUSES = list(Status)


class Counted(NamedTuple):
    counts: PartnershipCounts
    counted_at: datetime


def recount(unless_newer_than: float = 0) -> bool:
    """Count the partnership and keep the figures (the worker's task); skipped when they were
    counted less than `unless_newer_than` seconds ago. Returns whether it counted."""
    return keep(PARTNERSHIP, lambda started: count_partnership(started).to_json(), unless_newer_than)


def keep(name: str, count: Callable[[datetime], str], unless_newer_than: float = 0) -> bool:
    """Keep `count(now)` (figures as JSON) as the row `name`, unless that row was counted
    less than `unless_newer_than` seconds ago. Returns whether it counted."""
    row = db.session.get(CountedFigures, name)
    started = utcnow()
    if row is not None and row.counted_at > started - timedelta(seconds=unless_newer_than):
        return False
    figures = count(started)
    if row is None:
        db.session.add(CountedFigures(name=name, counted_at=started, figures=figures))
    else:
        row.counted_at, row.figures = started, figures
    try:
        db.session.commit()
    except IntegrityError:  # another worker kept its first count meanwhile: ours replaces it
        db.session.rollback()
        db.session.execute(update(CountedFigures).where(CountedFigures.name == name)
                           .values(counted_at=started, figures=figures))
        db.session.commit()
    return True


def read_kept(name: str, seconds: float, ask: Callable[[], object]) -> CountedFigures | None:
    """The kept row `name`, or None before its first count. When there is none, or it is
    older than `seconds`, the worker is asked to count (`ask` queues the task), at most
    once every ASK_EVERY_SECONDS from this process."""
    row = db.session.scalars(select(CountedFigures).where(CountedFigures.name == name)).first()
    if row is None or row.counted_at < utcnow() - timedelta(seconds=seconds):
        _ask_for_a_count(name, ask)
    return row


def partnership() -> Counted | None:
    """The partnership's kept figures and when they were counted, or None before the first
    count. Asks the worker to count again when they are older than COUNTED_FIGURES_SECONDS."""
    from learning.jobs.tasks import count_partnership_figures

    seconds = current_app.config["COUNTED_FIGURES_SECONDS"]
    if seconds <= 0:
        now = utcnow()
        return Counted(count_partnership(now), now)
    row = read_kept(PARTNERSHIP, seconds, count_partnership_figures)
    return None if row is None else Counted(PartnershipCounts.from_json(row.figures), row.counted_at)


# A process asks at most this often for each kind: ten coordinators opening the dashboard
# while the worker is counting should queue one count, not ten.
ASK_EVERY_SECONDS = 30
_asked: dict[str, float] = {}  # kind of figures: when this process last asked (monotonic)
_asking = threading.Lock()


def _ask_for_a_count(name: str, ask: Callable[[], object]) -> None:
    with _asking:
        if time.monotonic() - _asked.get(name, float("-inf")) < ASK_EVERY_SECONDS:
            return
        _asked[name] = time.monotonic()
    ask()


def staff_total(scope: Scope, counted: Counted) -> tuple[int, int] | None:
    """(staff in scope, staff matching its filters) from the kept figures, for a scope they
    can answer: any agencies, optionally one module, a status or "compliant"; no team or
    name search (None then). The same numbers the partnership dashboard shows."""
    if scope.team_id or scope.search:
        return None
    counts = counted.counts
    agencies = scope.agency_ids if scope.agency_ids is not None else tuple(counts.heads)
    heads = sum(counts.heads.get(a, 0) for a in agencies)
    wanted = [s for s in STATUSES if s.compliant] if scope.compliant else [scope.status] if scope.status else []
    if not wanted:
        return heads, heads
    if scope.module_id:
        # Each person has one pair per required module: pairs of that module are people.
        return heads, sum(counts.pairs.get((a, scope.module_id), (0,) * len(STATUSES))[STATUSES.index(s)]
                          for a in agencies for s in wanted)
    # Per agency: staff with any required module, compliant with all, then one per status.
    column = 1 if scope.compliant else 2 + STATUSES.index(wanted[0])
    return heads, sum(counts.people.get(a, (0,) * (2 + len(STATUSES)))[column] for a in agencies)
