"""The kept compliance summary: one row per (person, required module) that the reports count,
with what the status needs (learning/compliance/summary_table.py), kept up to date in the
same transaction as every write that changes it.

How it is kept: the session's events. After each flush, the people whose rows may have
changed (a completion, an attempt, a person, an agency or a requirement written through the
ORM) have their rows worked out again from the source tables, by one DELETE and one
INSERT ... SELECT over `source` (the full computation, limited to them), and their
per-person rows (`compliance_person`: compliant with all until when) again from those.
A Core UPDATE,
DELETE or INSERT on those tables run through the session (a revocation, an attempt's submit,
a bulk insert) does the same for the rows it touches, found before it runs. So every write
path keeps the summary, including ones added later, without calling anything; bulk loads
that know better (seed-scale) pause it and rebuild once.

`rebuild` works the whole table out again; `verify` compares it with the full computation
(`flask --app app summary rebuild|verify`). Nothing here depends on the time: expiring and
expired are worked out when the summary is read (learning/compliance/__init__.py).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Select, Table, case, delete, event, false, func, insert, inspect, or_, select
from sqlalchemy.orm import ORMExecuteState, Session

from learning.compliance import memo
from learning.compliance.summary_table import CompliancePerson, ComplianceSummary
from learning.extensions import db
from learning.models import WORKFORCE_ROLES, Agency, Attempt, AttemptStatus, Completion, Requirement, User

S = cast(Table, ComplianceSummary.__table__)
COLUMNS = ["user_id", "module_id", "agency_id", "expiry", "open", "failed"]
P = cast(Table, CompliancePerson.__table__)
PERSON_ROW = ["user_id", "agency_id", "compliant_until"]
PAUSED = "summary_paused"  # a key in Session.info: while set, nothing is kept (see `paused`)

# What in each table the summary depends on; a write that sets none of these columns is
# left alone (a person's sign-out, an attempt's path, a completion's reflection).
PERSON_COLUMNS = {"active", "agency_id", "role", "erased_at"}
RELEVANT = {
    "completion": {"user_id", "module_id", "expires_at", "revoked_at"},
    "attempt": {"user_id", "module_id", "status", "passed"},
    "user": PERSON_COLUMNS | {"id"},
    "agency": {"active", "sector"},
    "requirement": {"module_id", "sector"},
}


@dataclass
class Affected:
    """Whose rows to work out again: people, every person of some agencies, and every
    person in an agency of some sectors; `everyone` when a write could not be narrowed."""
    users: set[int] = field(default_factory=set)
    agencies: set[int] = field(default_factory=set)
    sectors: set[str] = field(default_factory=set)
    everyone: bool = False

    def __bool__(self) -> bool:
        return bool(self.users or self.agencies or self.sectors or self.everyone)


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


def has_failed_attempt():
    """A submitted attempt that did not pass (the same index as `has_open_attempt`)."""
    return (
        select(Attempt.id)
        .where(Attempt.user_id == User.id, Attempt.module_id == Requirement.module_id,
               Attempt.status == AttemptStatus.SUBMITTED.value, Attempt.passed.is_(False))
        .correlate(User, Requirement)
        .exists()
    )


def source(people: ColumnElement[bool] | None = None) -> Select:
    """The full computation: the summary's rows as they should be, from the completions and
    attempts themselves (the correlated lookups of learning/compliance/__init__.py), for
    everyone or for the people matching `people` (a condition on User and Agency)."""
    query = (
        select(User.id.label("user_id"), Requirement.module_id, User.agency_id, latest_expiry().label("expiry"),
               has_open_attempt().label("open"), has_failed_attempt().label("failed"))
        .select_from(User)
        .join(Agency, Agency.id == User.agency_id)
        .join(Requirement, Requirement.sector == Agency.sector)
        .where(User.active.is_(True), Agency.active.is_(True), User.role.in_(WORKFORCE_ROLES))
    )
    return query if people is None else query.where(people)


def person_source(rows: ColumnElement[bool] | None = None) -> Select:
    """The per-person rows as they should be, from the summary's rows (those matching `rows`)."""
    every_one_completed = func.count(S.c.expiry) == func.count()
    query = select(S.c.user_id, func.max(S.c.agency_id).label("agency_id"),
                   case((every_one_completed, func.min(S.c.expiry))).label("compliant_until")).group_by(S.c.user_id)
    return query if rows is None else query.where(rows)


def _belonging_to(affected: Affected, person: Any, agency: Any) -> ColumnElement[bool]:
    """Rows whose person or agency column (`person`, `agency`) puts them in `affected`."""
    sector_agencies = select(Agency.id).where(Agency.sector.in_(sorted(affected.sectors)))
    return or_(false(), person.in_(sorted(affected.users)), agency.in_(sorted(affected.agencies)),
               agency.in_(sector_agencies))


def refresh(conn: Connection, affected: Affected) -> None:
    """Work the rows of `affected` out again, on `conn` (the writing transaction's)."""
    if not affected:
        return
    memo.clear()
    if affected.everyone:
        rebuild_on(conn)
        return
    if affected.users and conn.dialect.name == "postgresql":
        # Two transactions refreshing one person wait for each other, so the second works
        # the rows out from what the first committed (not from before it).
        conn.execute(select(User.id).where(User.id.in_(sorted(affected.users))).order_by(User.id).with_for_update())
    rows = _belonging_to(affected, S.c.user_id, S.c.agency_id)
    conn.execute(delete(S).where(rows))
    conn.execute(insert(S).from_select(COLUMNS, source(_belonging_to(affected, User.id, User.agency_id))))
    conn.execute(delete(P).where(_belonging_to(affected, P.c.user_id, P.c.agency_id)))
    conn.execute(insert(P).from_select(PERSON_ROW, person_source(rows)))


def rebuild_on(conn: Connection) -> int:
    conn.execute(delete(S))
    result = conn.execute(insert(S).from_select(COLUMNS, source()))
    conn.execute(delete(P))
    conn.execute(insert(P).from_select(PERSON_ROW, person_source()))
    memo.clear()
    return result.rowcount


def rebuild() -> int:
    """Work the whole summary out again; returns its rows."""
    rows = rebuild_on(db.session.connection())
    db.session.commit()
    return rows


def verify(limit: int = 50) -> list[tuple[str, Any]]:
    """Differences between the summary and the full computation: ("missing", row) for a
    row the summary lacks or holds differently, ("extra", row) for one it should not hold
    as it does; ("person missing" | "person extra", row) the same for the per-person rows
    against the summary's. Empty when they agree."""
    kept = select(*(S.c[name] for name in COLUMNS))
    full = source()
    missing = db.session.execute(full.except_(kept).limit(limit)).all()
    extra = db.session.execute(kept.except_(full).limit(limit)).all()
    kept_people, people = select(*(P.c[name] for name in PERSON_ROW)), person_source()
    people_missing = db.session.execute(people.except_(kept_people).limit(limit)).all()
    people_extra = db.session.execute(kept_people.except_(people).limit(limit)).all()
    return ([("missing", tuple(row)) for row in missing] + [("extra", tuple(row)) for row in extra]
            + [("person missing", tuple(row)) for row in people_missing]
            + [("person extra", tuple(row)) for row in people_extra])


@contextmanager
def paused(session: Session | None = None) -> Iterator[None]:
    """Keep nothing while inside (for bulk loads, which call `rebuild` after)."""
    session = session or db.session()
    session.info[PAUSED] = True
    try:
        yield
    finally:
        session.info.pop(PAUSED, None)


# --- keeping it: the session's events ---------------------------------------------------


def _changed(obj: object, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _old_and_new(obj: object, name: str) -> set:
    history = inspect(obj).attrs[name].history
    return {v for v in chain(history.added, history.unchanged, history.deleted) if v is not None}


def _from_flush(session: Session) -> Affected:
    affected = Affected()
    # Each of session.new, .dirty and .deleted builds a new set when read: read them once,
    # not once per object (a flush of many new rows would otherwise take time in their square).
    new, dirty, deleted = session.new, session.dirty, session.deleted
    for obj in chain(new, dirty, deleted):
        is_new_or_gone = obj in new or obj in deleted
        if isinstance(obj, (Completion, Attempt)):
            affected.users |= _old_and_new(obj, "user_id")
        elif isinstance(obj, User) and (is_new_or_gone or _changed(obj, PERSON_COLUMNS)):
            affected.users |= _old_and_new(obj, "id")
        elif isinstance(obj, Agency) and not is_new_or_gone and _changed(obj, ("active", "sector")):
            affected.agencies |= _old_and_new(obj, "id")
        elif isinstance(obj, Requirement):
            affected.sectors |= _old_and_new(obj, "sector")
    return affected


def _after_flush(session: Session, context: Any) -> None:
    if session.info.get(PAUSED):
        return
    affected = _from_flush(session)
    if affected:
        refresh(session.connection(), affected)


def _set_columns(statement: Any, parameters: Any) -> set[str] | None:
    """The columns a Core UPDATE or INSERT sets, or None when that cannot be told."""
    values = getattr(statement, "_values", None)
    if values:
        return {getattr(key, "key", key) for key in values}
    if isinstance(parameters, dict) and parameters:
        return set(parameters)
    if isinstance(parameters, list) and parameters:
        return set(parameters[0])
    return None


def _key_column(table_name: str) -> str:
    return {"completion": "user_id", "attempt": "user_id", "user": "id", "agency": "id", "requirement": "sector"}[
        table_name]


def _collect(affected: Affected, table_name: str, keys: Iterable) -> None:
    keys = {k for k in keys if k is not None}
    if table_name in ("completion", "attempt", "user"):
        affected.users |= keys
    elif table_name == "agency":
        affected.agencies |= keys
    else:
        affected.sectors |= keys


def _rows_given(state: ORMExecuteState) -> list[dict[str, Any]]:
    """The rows of an executemany (a bulk INSERT or UPDATE), or of a single INSERT, else none."""
    parameters: Any = state.parameters
    if isinstance(parameters, list):
        return parameters
    if state.is_insert and parameters:
        return [dict(parameters)]
    values = getattr(state.statement, "_values", None)
    if state.is_insert and values:
        return [{getattr(k, "key", k): getattr(v, "value", v) for k, v in values.items()}]
    return []


def _before_statement(state: ORMExecuteState) -> Affected | None:
    """Whose rows a Core write is about to change (found before it runs), or None."""
    statement: Any = state.statement
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if table is None or name not in RELEVANT or (state.is_insert and name == "agency"):
        return None  # (a new agency has nobody in it yet)
    columns = _set_columns(statement, state.parameters)
    if not state.is_delete and columns is not None and not columns & RELEVANT[name]:
        return None
    affected, key = Affected(), _key_column(name)
    rows = _rows_given(state)
    if rows or state.is_insert:
        if not rows or any(key not in row for row in rows):
            affected.everyone = True  # rows whose keys are not known until written
        else:
            _collect(affected, name, (row[key] for row in rows))
        return affected
    query = select(table.c[key])
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    params = state.parameters if isinstance(state.parameters, dict) else {}
    _collect(affected, name, state.session.connection().execute(query, params).scalars())
    return affected


def _do_orm_execute(state: ORMExecuteState) -> Any:
    if not (state.is_update or state.is_delete or state.is_insert) or state.session.info.get(PAUSED):
        return None
    affected = _before_statement(state)
    if not affected:
        return None
    result = state.invoke_statement()
    refresh(state.session.connection(), affected)
    return result


_listening = False


def listen() -> None:
    """Keep the summary on every session's writes (called once by create_app)."""
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    _listening = True
