"""Training done elsewhere: recorded by a practitioner, approved or rejected by a
coordinator or their own agency lead, who maps it to the modules it counts for."""
from __future__ import annotations

import secrets
from datetime import date, datetime, time

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from learning.compliance.status import add_months
from learning.extensions import db
from learning.learner.attempts import certificate_code
from learning.models import Completion, CompletionSource, ExternalRecord, Module, User, utcnow
from learning.storage import store

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class ReviewError(ValueError):
    pass




def submit(user: User, title: str, provider: str, completed_on: date, note: str, upload: FileStorage | None) -> ExternalRecord:
    if completed_on > date.today():
        raise ReviewError("The date you completed the training must be today or in the past")
    record = ExternalRecord(user_id=user.id, title=title.strip(), provider=provider.strip(), completed_on=completed_on,
                            evidence_note=(note or "").strip())
    if upload and upload.filename:
        # Stored under a random name, never the one uploaded, and served only as a download.
        stored = secrets.token_hex(16)
        store().put(f"evidence/{stored}", upload.stream)
        record.evidence_file = stored
        record.evidence_filename = secure_filename(upload.filename) or "evidence"
    db.session.add(record)
    db.session.commit()
    return record


def evidence_key(record: ExternalRecord) -> str | None:
    """The evidence file's key in the file store (learning/storage.py), if it is still there."""
    if not record.evidence_file:
        return None
    key = f"evidence/{record.evidence_file}"
    return key if store().exists(key) else None


def approve(record: ExternalRecord, reviewer: User, modules: list[Module], note: str = "") -> int:
    if record.status != PENDING:
        raise ReviewError("This record has already been reviewed")
    if not modules:
        raise ReviewError("Select at least one module this training counts for")
    completed_at = datetime.combine(record.completed_on, time(12))
    record.status, record.reviewed_by_id, record.reviewed_at, record.review_note = APPROVED, reviewer.id, utcnow(), note
    record.modules = modules
    for module in modules:
        db.session.add(Completion(
            user_id=record.user_id, module_id=module.id, external_record_id=record.id, completed_at=completed_at,
            expires_at=add_months(completed_at, module.validity_months), module_version=module.version, score=None,
            source=CompletionSource.EXTERNAL.value, certificate_code=certificate_code(),
        ))
    db.session.commit()
    return len(modules)


def reject(record: ExternalRecord, reviewer: User, note: str) -> None:
    if record.status != PENDING:
        raise ReviewError("This record has already been reviewed")
    record.status, record.reviewed_by_id, record.reviewed_at, record.review_note = REJECTED, reviewer.id, utcnow(), note
    db.session.commit()
