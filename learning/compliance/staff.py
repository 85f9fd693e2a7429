"""Lists of staff with their status per required module: one page of the people who match
a scope's filters, how many match, and their statuses, in a constant number of statements."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import DateTime, Row, Select, and_, bindparam, case, exists, func, select

from learning.compliance import (
    STATUS_OF,
    Scope,
    Shape,
    counted,
    filter_conditions,
    memo,
    pairs_statement,
    shape_of,
    status_expression,
    values,
    workforce_conditions,
)
from learning.compliance.status import Status
from learning.compliance.summary_table import CompliancePerson, ComplianceSummary
from learning.database import run
from learning.models import Agency, User, utcnow


def _status_filters(shape: Shape, by_status: bool, compliant: bool) -> list:
    """The status filter as conditions on User: each an EXISTS over that person's few rows
    of the kept summary (its primary key starts with the person), so a page of staff ordered
    by name reads only as far as it needs."""
    summary = ComplianceSummary
    mine = [summary.user_id == User.id]
    if shape.module:
        mine.append(summary.module_id == bindparam("module_id"))
    now, soon = bindparam("now", type_=DateTime), bindparam("soon", type_=DateTime)
    if by_status:
        # People with at least one required module (the chosen one, if any) in that status.
        status = status_expression(summary.expiry, summary.open, summary.failed, now, soon)
        return [exists().where(*mine, status == bindparam("status"))]
    if compliant and shape.module:
        # People whose chosen module is compliant (in date or expiring).
        return [exists().where(*mine, summary.expiry > now)]
    if compliant:
        # People every one of whose required modules is compliant: few, so found from the
        # per-person rows' index rather than by checking everyone in name order.
        return [User.id.in_(select(CompliancePerson.user_id).where(CompliancePerson.compliant_until > now))]
    return []


@cache
def _people_statements(shape: Shape, by_status: bool, with_heads: bool,
                       compliant: bool = False) -> tuple[Select, Select]:
    """One page of the staff matching the filters (limit and offset bound), and a statement
    counting how many staff are in scope and how many of them match the filters."""
    filters = filter_conditions(shape) + _status_filters(shape, by_status, compliant)
    in_scope = select(func.count()).select_from(User).join(Agency, Agency.id == User.agency_id).where(
        *workforce_conditions(shape))
    counts = in_scope.with_only_columns(
        func.count().label("heads"),
        (func.count(case((and_(*filters), 1))) if filters else func.count()).label("total"))
    columns = [User.id, User.name, User.email, User.job_title, User.agency_id, User.team_id]
    page = (
        select(*columns).join(Agency, Agency.id == User.agency_id).where(*workforce_conditions(shape), *filters)
        .order_by(User.name, User.id).limit(bindparam("limit")).offset(bindparam("offset"))
    )
    return counts, page


class StaffPage(NamedTuple):
    heads: int | None  # staff in scope before the filters, when asked for
    total: int  # staff matching the filters
    people: Sequence[Row]  # rows: id, name, email, job_title, agency_id, team_id
    statuses: dict[int, dict[int, Status]]  # person -> required module -> status
    counted_at: datetime | None = None  # when `total` was counted, if it came from the kept figures


def filtered_staff(scope: Scope, page: int, per_page: int, now: datetime | None = None,
                   with_heads: bool = False) -> StaffPage:
    """One page of staff (matching the filters), how many match, and their status per
    required module; with `with_heads` also the number of staff in scope before the team,
    module, status and name filters. Three queries: the page of people, the counts, the
    statuses of just those people. The counts for more than one agency read every person in
    scope: they come from the partnership's counted figures (learning/compliance/counted.py)
    when those can answer the filters, and are kept a few seconds (memo.py) otherwise."""
    asked_now = now
    now = now or utcnow()
    counts, page_query = _people_statements(shape_of(scope), scope.status is not None, with_heads, scope.compliant)
    params = values(scope, now)
    if scope.status is not None:
        params["status"] = scope.status.value
    people = run(page_query, {**params, "limit": per_page, "offset": (page - 1) * per_page}).all()

    def count() -> tuple[int, int]:
        heads, total = run(counts, params).one()
        return int(heads), int(total)

    counted_at, wide = None, asked_now is None and (scope.agency_ids is None or len(scope.agency_ids) > 1)
    kept = counted.partnership() if wide and not (scope.team_id or scope.search) else None
    if kept is not None:
        # The same numbers as the partnership dashboard's, as the worker last counted them.
        heads, total = counted.staff_total(scope, kept) or count()
        counted_at = kept.counted_at
    elif wide and not scope.team_id:
        heads, total = memo.kept(("staff", scope), count)
    else:
        heads, total = count()
    statuses: dict[int, dict[int, Status]] = {p.id: {} for p in people}
    if people:
        mine = Scope(scope.agency_ids)
        rows = run(_statuses_statement(shape_of(mine, users=True)), values(mine, now, list(statuses))).all()
        for user_id, module_id, status in rows:
            statuses[user_id][module_id] = STATUS_OF[status]
    return StaffPage(heads if with_heads else None, total, people, statuses, counted_at)


@cache
def _statuses_statement(shape: Shape) -> Select:
    """The pairs statement without what the staff matrix does not show (agency, team, the
    expiry date: a date parsed per cell on SQLite)."""
    columns = pairs_statement(shape).selected_columns
    return pairs_statement(shape).with_only_columns(columns.user_id, columns.module_id, columns.status)
