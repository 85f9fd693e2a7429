"""What one person has done: status per module and their attempt history (3 queries)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from learning.compliance.status import Status, status_for
from learning.content import ModuleContent
from learning.content.catalogue import catalogue, module_rows
from learning.extensions import db
from learning.models import Attempt, AttemptStatus, Completion, User, utcnow


@dataclass
class ModuleLine:
    content: ModuleContent
    status: Status
    expires_at: datetime | None
    attempts: list[Attempt] = field(default_factory=list)
    module_id: int | None = None


def learning_summary(user: User, now: datetime | None = None) -> list[ModuleLine]:
    now = now or utcnow()
    rows = module_rows()
    expiries = dict(db.session.execute(
        select(Completion.module_id, func.max(Completion.expires_at))
        .where(Completion.user_id == user.id, Completion.revoked_at.is_(None))
        .group_by(Completion.module_id)
    ).all())
    history = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at.desc(), Attempt.id.desc())
    ).all()
    window = current_app.config["EXPIRING_WINDOW_DAYS"]
    lines = []
    for content in catalogue().ordered():
        module_id = rows[content.slug].id
        attempts = [a for a in history if a.module_id == module_id]
        open_attempt = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS.value), None)
        failed = any(a.status == AttemptStatus.SUBMITTED.value and a.passed is False for a in attempts)
        expiry = expiries.get(module_id)
        lines.append(ModuleLine(
            content=content, status=status_for(expiry, open_attempt is not None, now, window, failed),
            expires_at=expiry, attempts=attempts, module_id=module_id,
        ))
    return lines
