"""Compliance: the status of every (person, required module) pair, computed in SQL.

The rules are those of learning/compliance/status.py, written once more as a SQL CASE so that the
database does the work: a page or an export costs the same few queries for 50 staff or
100,000. Nothing here loops over people issuing queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Literal, NamedTuple, TypeAlias

from flask import current_app
from sqlalchemy import DateTime, Select, bindparam, case, func, literal, or_, select

from learning.compliance.status import Status
from learning.compliance.summary_table import ComplianceSummary
from learning.database import run
from learning.extensions import db
from learning.models import WORKFORCE_ROLES, Agency, Module, Requirement, Team, User, utcnow


@dataclass(frozen=True)
class Scope:
    """Which staff a report covers. `agency_ids=None` means every agency."""

    agency_ids: tuple[int, ...] | None = None
    team_id: int | None = None
    module_id: int | None = None
    status: Status | None = None  # people with at least one required module in this status
    compliant: bool = False  # people compliant with every required module
    search: str = ""

    def describe(self, agencies: dict[int, str], teams: dict[int, str], modules: dict[int, str]) -> list[tuple[str, str]]:
        return [
            ("Agencies", "All" if self.agency_ids is None else ", ".join(agencies.get(a, str(a)) for a in self.agency_ids)),
            ("Team", teams.get(self.team_id, "All") if self.team_id else "All"),
            ("Module", modules.get(self.module_id, "All") if self.module_id else "All"),
            ("Status", self.status.label if self.status else
             "Compliant with all required learning" if self.compliant else "All"),
            ("Name contains", self.search or "(no search)"),
        ]


STATUS_OF = {s.value: s for s in Status}  # Status(value) without the Enum call, for many rows
COMPLIANT = [s.value for s in Status if s.compliant]


def _window() -> timedelta:
    return timedelta(days=current_app.config["EXPIRING_WINDOW_DAYS"])


def status_expression(expiry, opened, failed, now, soon=None, labels: dict | None = None):
    """The status CASE. `now` and `soon` (the end of the expiring window) may be datetimes
    or bound parameters; `soon` defaults to now plus the configured window. Each status
    comes out as its value, or as `labels[status]` (`BITS`: one bit each, for counting)."""
    soon = now + _window() if soon is None else soon
    label = {s: literal(labels[s] if labels else s.value) for s in Status}
    return case(
        (expiry > soon, label[Status.IN_DATE]),
        (expiry > now, label[Status.EXPIRING]),
        (opened, label[Status.IN_PROGRESS]),
        (expiry.is_not(None), label[Status.EXPIRED]),
        (failed, label[Status.NOT_PASSED]),
        else_=label[Status.NOT_STARTED],
    )


# Each status as one bit: a person's statuses OR-ed together (the sum of the distinct bits)
# say in one number which statuses they have, so people are counted from one pass.
BITS = {s: 1 << i for i, s in enumerate(Status)}
NOT_COMPLIANT_BITS = sum(bit for s, bit in BITS.items() if not s.compliant)


# The statements below are built once per *shape* of scope (which filters are present), with
# bound parameters for the values, and kept: the pairs statement (a CTE whose columns carry
# foreign keys, correlated subqueries, the CASE) is costly to build, and a kept statement
# keeps its SQL cache key too. Pages run them with `values(...)`.
# One agency is `agency_id = ?` rather than an expanding IN, so those statements are not
# re-rendered at every execution either.
Agencies: TypeAlias = Literal["one", "many"] | None  # None: every agency, so no condition at all


class Shape(NamedTuple):
    """Which filters a scope has (not their values): the key the statements are kept by."""
    agencies: Agencies
    team: bool
    module: bool
    search: bool
    users: bool  # limited to a list of people (the staff matrix's page)


def shape_of(scope: Scope, users: bool = False) -> Shape:
    return Shape(agencies=_agencies_shape(scope.agency_ids), team=bool(scope.team_id), module=bool(scope.module_id),
                 search=bool(scope.search), users=users)


def _agencies_shape(agency_ids: tuple[int, ...] | None) -> Agencies:
    return None if agency_ids is None else ("one" if len(agency_ids) == 1 else "many")


def _agency_values(agency_ids: tuple[int, ...] | None) -> dict:
    if agency_ids is None:
        return {}
    if len(agency_ids) == 1:
        return {"agency_id": agency_ids[0]}
    return {"agency_ids": list(agency_ids)}


def _in_agencies(column, agencies: Agencies) -> list:
    """The condition `column` is one of the scope's agencies, for a statement of that shape
    (none when the scope is every agency)."""
    if agencies == "one":
        return [column == bindparam("agency_id")]
    if agencies == "many":
        return [column.in_(bindparam("agency_ids", expanding=True))]
    return []


def _like_escape(text: str) -> str:
    """What `contains(..., autoescape=True)` does to a literal, done for a bound value."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def values(scope: Scope, now: datetime | None = None, user_ids: list[int] | None = None) -> dict:
    """The bound values for the statements of `shape_of(scope)`."""
    now = now or utcnow()
    result: dict = {"now": now, "soon": now + _window(), **_agency_values(scope.agency_ids)}
    if scope.team_id:
        result["team_id"] = scope.team_id
    if scope.module_id:
        result["module_id"] = scope.module_id
    if scope.search:
        result["search"] = _like_escape(scope.search.strip().lower())
    if user_ids is not None:
        result["user_ids"] = list(user_ids)
    return result


def workforce_conditions(shape: Shape) -> list:
    """Who a report counts at all: active workforce accounts in active agencies, within the
    scope's agencies (for a query that joins User and Agency)."""
    return [User.active.is_(True), Agency.active.is_(True), or_(*(User.role == role for role in WORKFORCE_ROLES)),
            *_in_agencies(User.agency_id, shape.agencies)]


def filter_conditions(shape: Shape) -> list:
    """The scope's team and name search, on top of `workforce_conditions`."""
    conditions = []
    if shape.team:
        conditions.append(User.team_id == bindparam("team_id"))
    if shape.search:
        conditions.append(func.lower(User.name).contains(bindparam("search"), escape="/"))
    return conditions


def in_workforce(query: Select, shape: Shape) -> Select:
    """Limit a query that joins User and Agency to the people a report counts: active
    workforce accounts in active agencies, within the scope's agencies, team and search."""
    return query.where(*workforce_conditions(shape), *filter_conditions(shape))


def _summary_conditions(shape: Shape) -> list:
    """The scope's conditions on the kept summary (learning/compliance/summary.py), which
    holds only the pairs reports count: every workforce condition is already met."""
    if shape.users:
        # A list of people (already within the scope's agencies): found by the summary's
        # key, person by person, rather than by reading their whole agency's rows.
        conditions = [ComplianceSummary.user_id.in_(bindparam("user_ids", expanding=True)), *filter_conditions(shape)]
    else:
        conditions = [*_in_agencies(ComplianceSummary.agency_id, shape.agencies), *filter_conditions(shape)]
    if shape.module:
        conditions.append(ComplianceSummary.module_id == bindparam("module_id"))
    return conditions


def _status_column(labels: dict | None = None):
    now, soon = bindparam("now", type_=DateTime), bindparam("soon", type_=DateTime)
    summary = ComplianceSummary
    return status_expression(summary.expiry, summary.open, summary.failed, now, soon, labels).label("status")


@cache
def pairs_statement(shape: Shape) -> Select:
    """The pairs statement for a shape of scope, with bound parameters (see `values`): the
    kept summary's rows in scope, each with its status worked out as at `now`."""
    summary = ComplianceSummary
    return (
        select(summary.user_id, summary.agency_id, User.team_id, summary.module_id, _status_column(),
               summary.expiry.label("expiry"))
        .join(User, User.id == summary.user_id)
        .where(*_summary_conditions(shape))
    )


@cache
def counted_pairs_statement(shape: Shape) -> Select:
    """The pairs in scope with their status as a bit (`BITS`), for figures that count: the
    summary alone, unless the scope filters by team or name. OFFSET 0 keeps it a subquery
    of its own (on SQLite and PostgreSQL alike), so the status is worked out once per row
    rather than once for each time an outer aggregate mentions it."""
    summary = ComplianceSummary
    query = select(summary.user_id, summary.agency_id, summary.module_id, _status_column(BITS))
    if shape.team or shape.search:
        query = query.join(User, User.id == summary.user_id)
    return query.where(*_summary_conditions(shape)).offset(0)


def pairs(scope: Scope, now: datetime | None = None, user_ids: list[int] | None = None) -> Select:
    """One row per (person, required module) in scope: ids, agency, team, status, dates.
    A statement with its values bound, to run or to use as a subquery."""
    return pairs_statement(shape_of(scope, user_ids is not None)).params(values(scope, now, user_ids))


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


def _count_each_status(bits) -> list:
    return [func.sum(case((bits.op("&")(bit) != 0, 1), else_=0)) for bit in BITS.values()]


@cache
def _figures_statement(shape: Shape, by_agency: bool) -> Select:
    inner = counted_pairs_statement(shape).subquery()
    keys = [inner.c.agency_id, inner.c.module_id] if by_agency else [inner.c.module_id]
    return select(*keys, *_count_each_status(inner.c.status)).group_by(*keys)


def figures_by(scope: Scope, by_agency: bool = False, now: datetime | None = None) -> dict:
    """Counts per status for each module (and agency): one GROUP BY query.

    Returns {module_id: ModuleFigures} or {(agency_id, module_id): ModuleFigures}."""
    rows = run(_figures_statement(shape_of(scope), by_agency), values(scope, now)).all()
    result: dict = {}
    width = 2 if by_agency else 1
    for row in rows:
        ids, counts = row[:width], row[width:]
        figures = ModuleFigures(ids[-1], {s: int(n or 0) for s, n in zip(Status, counts, strict=True)})
        result[(ids[0], ids[1]) if by_agency else ids[0]] = figures
    return result


def totals_by_module(by_agency: dict) -> dict[int, ModuleFigures]:
    """Sum per-agency figures into per-module figures, without asking the database again."""
    totals: dict[int, ModuleFigures] = {}
    for (_, module_id), figures in by_agency.items():
        total = totals.setdefault(module_id, ModuleFigures(module_id))
        for status, count in figures.counts.items():
            total.counts[status] += count
    return totals


@cache
def people_figures_statement(shape: Shape) -> Select:
    """Per agency: staff with any required module, staff compliant with all of theirs, and
    staff with at least one module in each status. Pairs are folded per person first (a
    GROUP BY person), then people are counted per agency: one statement, no loop."""
    pairs = counted_pairs_statement(shape).subquery()
    # A person is in one agency: grouped by the person alone (the summary's key order).
    per_person = select(func.max(pairs.c.agency_id).label("agency_id"),
                        func.sum(pairs.c.status.distinct()).label("statuses")).group_by(pairs.c.user_id).subquery()
    statuses = per_person.c.statuses
    compliant = func.sum(case((statuses.op("&")(NOT_COMPLIANT_BITS) == 0, 1), else_=0))
    return select(per_person.c.agency_id, func.count(), compliant,
                  *_count_each_status(statuses)).group_by(per_person.c.agency_id)


@cache
def _headcount_statement(shape: Shape) -> Select:
    query = select(User.agency_id, func.count(User.id)).join(Agency, Agency.id == User.agency_id)
    return in_workforce(query, shape).group_by(User.agency_id)


def headcount(scope: Scope) -> dict[int, int]:
    """Staff counted per agency."""
    return dict(run(_headcount_statement(shape_of(scope)), values(scope)).all())


@cache
def _required_modules_statement(agencies: Agencies) -> Select:
    return select(Module.id, Module.slug, Module.title).join(Requirement, Requirement.module_id == Module.id).join(
        Agency, Agency.sector == Requirement.sector
    ).where(Agency.active.is_(True), *_in_agencies(Agency.id, agencies)).distinct()


def required_modules(agency_ids: tuple[int, ...] | None) -> list:
    """Modules required for at least one of the agencies in scope, in catalogue order:
    rows of id, slug and title (what reports show; no Module entities to build)."""
    from learning.content.catalogue import catalogue

    rank = {content.slug: i for i, content in enumerate(catalogue().ordered())}
    rows = run(_required_modules_statement(_agencies_shape(agency_ids)), _agency_values(agency_ids)).all()
    return sorted(rows, key=lambda m: (rank.get(m.slug, len(rank)), m.id))


def team_names(agency_ids: tuple[int, ...] | None) -> dict[int, str]:
    """{team id: name} for the agencies in scope (all when None), ordered by name."""
    return dict(run(_teams_statement(_agencies_shape(agency_ids)), _agency_values(agency_ids)).all())


@cache
def _teams_statement(agencies: Agencies) -> Select:
    return select(Team.id, Team.name).where(*_in_agencies(Team.agency_id, agencies)).order_by(Team.name)


class Names(NamedTuple):
    """{id: name} for every agency and team, {id: title} for every module: what the exports
    write in place of ids."""
    agencies: dict[int, str]
    teams: dict[int, str]
    modules: dict[int, str]


def lookups() -> Names:
    return Names(agencies=dict(db.session.execute(select(Agency.id, Agency.name)).all()),
                 teams=dict(db.session.execute(select(Team.id, Team.name)).all()),
                 modules=dict(db.session.execute(select(Module.id, Module.title)).all()))
