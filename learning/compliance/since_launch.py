"""The change in compliance since the review's learning was launched: the first question a
partnership board asks. Per module, compliance on the launch day (the first figures kept
on or after LEARNING_LAUNCHED, or the first kept at all) and on the latest day kept, from
the daily snapshot (learning/compliance/trend.py). One small query whatever the workforce.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, or_, select

from learning.compliance.trend import COMPLIANT
from learning.content.catalogue import catalogue
from learning.database import run
from learning.models import ComplianceSnapshot, Module


@dataclass(frozen=True)
class Figure:
    compliant: int
    required: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.compliant / self.required) if self.required else None

    @property
    def words(self) -> str:
        if self.percent is None:
            return "Not required"
        return f"{self.percent}% ({self.compliant:,} of {self.required:,})"


@dataclass(frozen=True)
class Change:
    module_id: int
    title: str
    then: Figure
    now: Figure

    @property
    def points(self) -> int | None:
        if self.then.percent is None or self.now.percent is None:
            return None
        return self.now.percent - self.then.percent

    @property
    def words(self) -> str:
        """"Up 12 points", "Down 3 points", "No change", or "Not required then" (a module added since)."""
        if self.points is None:
            return "Not required then" if self.then.percent is None else "Not required now"
        if self.points == 0:
            return "No change"
        point_s = "point" if abs(self.points) == 1 else "points"
        return f"{'Up' if self.points > 0 else 'Down'} {abs(self.points)} {point_s}"


@dataclass(frozen=True)
class SinceLaunch:
    launched: date | None  # the configured launch date, if there is one
    first_day: date | None  # the first day with figures kept (on or after the launch)
    last_day: date | None  # the latest day with figures kept
    changes: list[Change]

    @property
    def empty(self) -> bool:
        """Nothing to compare: no figures, or only one day of them."""
        return not self.changes or self.first_day == self.last_day

    @property
    def improved(self) -> int:
        return sum(1 for c in self.changes if c.points is not None and c.points > 0)

    @property
    def compared(self) -> int:
        return sum(1 for c in self.changes if c.points is not None)


def since_launch(agency_ids: tuple[int, ...] | None = None, until: date | None = None,
                 launched: date | None = None) -> SinceLaunch:
    """Compliance per module on the launch day and on the last day kept (up to `until`), for
    the agencies given (None: every agency). `launched` defaults to LEARNING_LAUNCHED."""
    launched = launched if launched is not None else current_app.config.get("LEARNING_LAUNCHED")
    where = []
    if launched is not None:
        where.append(ComplianceSnapshot.day >= launched)
    if until is not None:
        where.append(ComplianceSnapshot.day <= until)
    if agency_ids is not None:
        where.append(ComplianceSnapshot.agency_id.in_(agency_ids))
    day = ComplianceSnapshot.day
    first, last = (select(func.min(day)).where(*where).scalar_subquery(),
                   select(func.max(day)).where(*where).scalar_subquery())
    rows = run(select(day, ComplianceSnapshot.module_id, Module.slug, Module.title,
                      ComplianceSnapshot.status, func.sum(ComplianceSnapshot.people))
               .join(Module, Module.id == ComplianceSnapshot.module_id)
               .where(*where, or_(day == first, day == last))
               .group_by(day, ComplianceSnapshot.module_id, Module.slug, Module.title,
                         ComplianceSnapshot.status)).all()
    if not rows:
        return SinceLaunch(launched, None, None, [])
    first_day, last_day = min(row[0] for row in rows), max(row[0] for row in rows)
    counts: dict[tuple[date, int], list[int]] = {}
    titles: dict[int, tuple[str, str]] = {}
    for kept_day, module_id, slug, title, status, people in rows:
        titles[module_id] = (slug, title)
        total = counts.setdefault((kept_day, module_id), [0, 0])
        total[1] += people or 0
        if status in COMPLIANT:
            total[0] += people or 0
    rank = {content.slug: i for i, content in enumerate(catalogue().ordered())}
    changes = [Change(module_id, title, Figure(*counts.get((first_day, module_id), (0, 0))),
                      Figure(*counts.get((last_day, module_id), (0, 0))))
               for module_id, (slug, title) in sorted(titles.items(), key=lambda m: (rank.get(m[1][0], len(rank)), m[0]))]
    return SinceLaunch(launched, first_day, last_day, changes)
