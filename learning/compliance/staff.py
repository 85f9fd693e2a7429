"""Lists of staff with their status per required module: one page of the people who match
a scope's filters, how many match, and their statuses, in a constant number of statements."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Row, Select, and_, bindparam, case, func, select

from learning.compliance import (
    COMPLIANT,
    STATUS_OF,
    Scope,
    Shape,
    filter_conditions,
    pairs_statement,
    shape_of,
    values,
    workforce_conditions,
)
from learning.compliance.status import Status
from learning.database import run
from learning.models import Agency, User, utcnow


@cache
def _people_statements(shape: Shape, by_status: bool, with_heads: bool,
                       compliant: bool = False) -> tuple[Select, Select]:
    """One page of the staff matching the filters (limit and offset bound), each row also
    carrying how many match (a window count: the filters, a status one above all, are
    evaluated once, not once more to count) and, `with_heads`, how many staff are in scope
    before the filters; and a statement for those two numbers alone, for a page with no rows."""
    filters = filter_conditions(shape)
    if by_status:
        # People with at least one required module (the chosen one, if any) in that status.
        matching = pairs_statement(shape).subquery()
        filters.append(
            User.id.in_(select(matching.c.user_id).where(matching.c.status == bindparam("status")).correlate(None))
        )
    if compliant:
        # People every one of whose required modules (the chosen one, if any) is compliant.
        matching = pairs_statement(shape).subquery()
        filters.append(User.id.in_(
            select(matching.c.user_id).group_by(matching.c.user_id)
            .having(func.min(case((matching.c.status.in_(COMPLIANT), 1), else_=0)) == 1).correlate(None)))
    in_scope = select(func.count()).select_from(User).join(Agency, Agency.id == User.agency_id).where(
        *workforce_conditions(shape))
    counts = in_scope.with_only_columns(
        func.count().label("heads"),
        (func.count(case((and_(*filters), 1))) if filters else func.count()).label("total"))
    columns = [User.id, User.name, User.email, User.job_title, User.agency_id, User.team_id,
               func.count().over().label("total")]
    if with_heads:
        columns.append(in_scope.correlate(None).scalar_subquery().label("heads"))
    page = (
        select(*columns).join(Agency, Agency.id == User.agency_id).where(*workforce_conditions(shape), *filters)
        .order_by(User.name, User.id).limit(bindparam("limit")).offset(bindparam("offset"))
    )
    return counts, page


class StaffPage(NamedTuple):
    heads: int | None  # staff in scope before the filters, when asked for
    total: int  # staff matching the filters
    people: Sequence[Row]  # rows: id, name, email, job_title, agency_id, team_id (and total, heads)
    statuses: dict[int, dict[int, Status]]  # person -> required module -> status


def filtered_staff(scope: Scope, page: int, per_page: int, now: datetime | None = None,
                   with_heads: bool = False) -> StaffPage:
    """One page of staff (matching the filters), how many match, and their status per
    required module; with `with_heads` also the number of staff in scope before the team,
    module, status and name filters, from the same statement as the page. Two queries: the
    page of people with the counts, then the statuses of just those people (a third, for
    the counts, when the page is empty)."""
    now = now or utcnow()
    counts, page_query = _people_statements(shape_of(scope), scope.status is not None, with_heads, scope.compliant)
    params = values(scope, now)
    if scope.status is not None:
        params["status"] = scope.status.value
    people = run(page_query, {**params, "limit": per_page, "offset": (page - 1) * per_page}).all()
    if people:
        total, heads = people[0].total, people[0].heads if with_heads else None
    elif page == 1 and not with_heads:
        total, heads = 0, None
    else:  # past the last page, or nobody matches and the page shows the headcount
        heads, total = run(counts, params).one()
    statuses: dict[int, dict[int, Status]] = {p.id: {} for p in people}
    if people:
        mine = Scope(scope.agency_ids)
        rows = run(_statuses_statement(shape_of(mine, users=True)), values(mine, now, list(statuses))).all()
        for user_id, module_id, status in rows:
            statuses[user_id][module_id] = STATUS_OF[status]
    return StaffPage(heads, total, people, statuses)


@cache
def _statuses_statement(shape: Shape) -> Select:
    """The pairs statement without what the staff matrix does not show (agency, team, the
    expiry date: a date parsed per cell on SQLite)."""
    columns = pairs_statement(shape).selected_columns
    return pairs_statement(shape).with_only_columns(columns.user_id, columns.module_id, columns.status)
