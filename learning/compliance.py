"""Compliance: the status of every (person, required module) pair, computed in SQL.

The rules are those of learning/status.py, written once more as a SQL CASE so that the
database does the work: a page or an export costs the same few queries for 50 staff or
100,000. Nothing here loops over people issuing queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, case, func, literal, select

from .extensions import db
from .models import (
    WORKFORCE_ROLES,
    Agency,
    Attempt,
    AttemptStatus,
    Completion,
    Module,
    Requirement,
    Team,
    User,
    utcnow,
)
from .status import Status


@dataclass(frozen=True)
class Scope:
    """Which staff a report covers. `agency_ids=None` means every agency."""

    agency_ids: tuple[int, ...] | None = None
    team_id: int | None = None
    module_id: int | None = None
    status: Status | None = None
    search: str = ""

    def describe(self, agencies: dict[int, str], teams: dict[int, str], modules: dict[int, str]) -> list[tuple[str, str]]:
        return [
            ("Agencies", "All" if self.agency_ids is None else ", ".join(agencies.get(a, str(a)) for a in self.agency_ids)),
            ("Team", teams.get(self.team_id, "All") if self.team_id else "All"),
            ("Module", modules.get(self.module_id, "All") if self.module_id else "All"),
            ("Status", self.status.label if self.status else "All"),
            ("Name contains", self.search or "(no search)"),
        ]


def _window() -> timedelta:
    return timedelta(days=current_app.config["EXPIRING_WINDOW_DAYS"])


def latest_expiry():
    """Per (person, module) row of the outer query: when their latest completion that has
    not been revoked runs out. A correlated subquery, so it costs one index lookup per
    row in scope (ix_completion_user_module_expiry), not an aggregate over everyone."""
    return (
        select(func.max(Completion.expires_at))
        .where(Completion.user_id == User.id, Completion.module_id == Requirement.module_id,
               Completion.revoked_at.is_(None))
        .correlate(User, Requirement)
        .scalar_subquery()
    )


def has_open_attempt():
    return (
        select(Attempt.id)
        .where(Attempt.user_id == User.id, Attempt.module_id == Requirement.module_id,
               Attempt.status == AttemptStatus.IN_PROGRESS.value)
        .correlate(User, Requirement)
        .exists()
    )


def status_expression(expiry, opened, now: datetime):
    soon = now + _window()
    return case(
        (expiry > soon, literal(Status.IN_DATE.value)),
        (expiry > now, literal(Status.EXPIRING.value)),
        (opened, literal(Status.IN_PROGRESS.value)),
        (expiry.is_not(None), literal(Status.EXPIRED.value)),
        else_=literal(Status.NOT_STARTED.value),
    )


def in_workforce(query: Select, scope: Scope) -> Select:
    """Limit a query that joins User and Agency to the people a report counts: active
    workforce accounts in active agencies, within the scope's agencies, team and search."""
    query = query.where(User.active.is_(True), Agency.active.is_(True), User.role.in_(WORKFORCE_ROLES))
    if scope.agency_ids is not None:
        query = query.where(User.agency_id.in_(scope.agency_ids))
    if scope.team_id:
        query = query.where(User.team_id == scope.team_id)
    if scope.search:
        query = query.where(func.lower(User.name).contains(scope.search.strip().lower(), autoescape=True))
    return query


def pairs(scope: Scope, now: datetime | None = None, user_ids: list[int] | None = None) -> Select:
    """One row per (person, required module) in scope: ids, agency, team, status, dates."""
    now = now or utcnow()
    inner = (
        select(User.id.label("user_id"), User.agency_id, User.team_id, Requirement.module_id,
               latest_expiry().label("expiry"), has_open_attempt().label("open"))
        .select_from(User)
        .join(Agency, Agency.id == User.agency_id)
        .join(Requirement, Requirement.sector == Agency.sector)
    )
    inner = in_workforce(inner, scope)
    if user_ids is not None:
        inner = inner.where(User.id.in_(user_ids))
    if scope.module_id:
        inner = inner.where(Requirement.module_id == scope.module_id)
    # MATERIALIZED: the status CASE reads `expiry` four times; without it SQLite inlines
    # the subquery and runs the correlated lookup once per mention.
    rows = inner.cte("per_module").prefix_with("MATERIALIZED")
    status = status_expression(rows.c.expiry, rows.c.open, now).label("status")
    return select(rows.c.user_id, rows.c.agency_id, rows.c.team_id, rows.c.module_id, status, rows.c.expiry)


@dataclass
class ModuleFigures:
    module_id: int
    counts: dict[Status, int] = field(default_factory=lambda: {s: 0 for s in Status})

    @property
    def required(self) -> int:
        return sum(self.counts.values())

    @property
    def compliant(self) -> int:
        return self.counts[Status.IN_DATE] + self.counts[Status.EXPIRING]

    @property
    def percent(self) -> int:
        return round(100 * self.compliant / self.required) if self.required else 0


def figures_by(scope: Scope, by_agency: bool = False, now: datetime | None = None) -> dict:
    """Counts per status for each module (and agency): one GROUP BY query.

    Returns {module_id: ModuleFigures} or {(agency_id, module_id): ModuleFigures}."""
    inner = pairs(Scope(scope.agency_ids, scope.team_id, scope.module_id, None, scope.search), now).subquery()
    keys = [inner.c.agency_id, inner.c.module_id] if by_agency else [inner.c.module_id]
    rows = db.session.execute(select(*keys, inner.c.status, func.count()).group_by(*keys, inner.c.status)).all()
    result: dict = {}
    for *key, status, count in rows:
        key = tuple(key) if by_agency else key[0]
        result.setdefault(key, ModuleFigures(key[1] if by_agency else key)).counts[Status(status)] = count
    return result


def totals_by_module(by_agency: dict) -> dict[int, ModuleFigures]:
    """Sum per-agency figures into per-module figures, without asking the database again."""
    totals: dict[int, ModuleFigures] = {}
    for (_, module_id), figures in by_agency.items():
        total = totals.setdefault(module_id, ModuleFigures(module_id))
        for status, count in figures.counts.items():
            total.counts[status] += count
    return totals


def headcount(scope: Scope) -> dict[int, int]:
    """Staff counted per agency."""
    query = select(User.agency_id, func.count(User.id)).join(Agency, Agency.id == User.agency_id)
    return dict(db.session.execute(in_workforce(query, scope).group_by(User.agency_id)).all())


def staff_page(scope: Scope, page: int, per_page: int, now: datetime | None = None):
    """One page of staff (matching the filters) and their status per required module.

    Two queries: the page of people, then the statuses of just those people."""
    people_query = in_workforce(
        select(User.id, User.name, User.email, User.job_title, User.agency_id, User.team_id)
        .join(Agency, Agency.id == User.agency_id), scope)
    if scope.status is not None:
        # People with at least one required module (the chosen one, if any) in that status.
        matching = pairs(scope, now).subquery()
        people_query = people_query.where(
            User.id.in_(select(matching.c.user_id).where(matching.c.status == scope.status.value).correlate(None))
        )
    total = db.session.scalar(select(func.count()).select_from(people_query.subquery()))
    people = db.session.execute(
        people_query.order_by(User.name, User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    ids = [p.id for p in people]
    statuses: dict[int, dict[int, tuple[Status, datetime | None]]] = {i: {} for i in ids}
    if ids:
        for row in db.session.execute(pairs(Scope(scope.agency_ids), now, user_ids=ids)).all():
            statuses[row.user_id][row.module_id] = (Status(row.status), row.expiry)
    return total, people, statuses


def required_modules(agency_ids: tuple[int, ...] | None) -> list[Module]:
    """Modules required for at least one of the agencies in scope, in catalogue order."""
    query = select(Module).join(Requirement, Requirement.module_id == Module.id).join(
        Agency, Agency.sector == Requirement.sector
    ).where(Agency.active.is_(True)).distinct()
    if agency_ids is not None:
        query = query.where(Agency.id.in_(agency_ids))
    from .catalogue import catalogue

    rank = {content.slug: i for i, content in enumerate(catalogue().ordered())}
    return sorted(db.session.scalars(query).all(), key=lambda m: (rank.get(m.slug, len(rank)), m.id))


def lookups() -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    agencies = dict(db.session.execute(select(Agency.id, Agency.name)).all())
    teams = dict(db.session.execute(select(Team.id, Team.name)).all())
    modules = dict(db.session.execute(select(Module.id, Module.title)).all())
    return agencies, teams, modules
