"""The audit trail: who did what, when. Rows are only ever inserted.

`record()` adds a row; `search()` serves the admin page (learning/audit/views.py), which
shows each row as a sentence (learning/audit/sentences.py). The ORM
refuses to update or delete an AuditEvent (see `_refuse_changes`), so no view can edit the
trail by accident. Deliberate changes (a legal duty to redact, say) belong in a migration or
a reviewed SQL script, outside the app.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session

from learning.extensions import db
from learning.models import AuditEvent

# Action names. Others (exports, imports, role changes...) add theirs here.
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_OUT = "sign_out"
ACCOUNT_CREATED = "account_created"

EMAIL_MAX = 320  # what people type into a sign-in form is stored, but not without limit


def record(action: str, detail: dict | str = "", actor=None, commit: bool = True) -> AuditEvent:
    """Add an audit row. `actor` defaults to the signed-in user (None for the CLI)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if not isinstance(detail, str):
        detail = json.dumps(detail, sort_keys=True, default=str, ensure_ascii=False)
    event_ = AuditEvent(
        action=action,
        detail=detail,
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event_)
    if commit:
        db.session.commit()
    return event_


class AuditTrailIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, _flush_context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTrailIsAppendOnly("Audit events cannot be changed or deleted.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEvent for m in state.all_mappers):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed or deleted.")


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    person: str | None = None  # part of an email address: who acted, or whom it was about
    start: date | None = None  # inclusive, whole days (UTC)
    end: date | None = None


def search(filters: AuditFilter, page: int = 1, page_size: int = 50) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match in all."""
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.person:
        term = filters.person.strip().lower()
        # The detail holds the email tried at a failed sign-in, or the account created.
        query = query.where(or_(func.lower(AuditEvent.actor_email).contains(term, autoescape=True),
                                func.lower(AuditEvent.detail).contains(term, autoescape=True)))
    if filters.start:
        query = query.where(AuditEvent.at >= datetime.combine(filters.start, time.min))
    if filters.end:
        query = query.where(AuditEvent.at < datetime.combine(filters.end + timedelta(days=1), time.min))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return list(rows), total


def actions() -> list[str]:
    """Every action name in the trail, for the search form."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
