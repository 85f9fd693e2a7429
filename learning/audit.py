"""The audit trail: who did what, when. Rows are only ever inserted."""
from __future__ import annotations

import json

from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .models import AuditEvent


def record(action: str, detail: dict | str = "", actor=None, commit: bool = True) -> AuditEvent:
    """Add an audit row. `actor` defaults to the signed-in user (None for the CLI)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        detail=detail if isinstance(detail, str) else json.dumps(detail, sort_keys=True, default=str),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
