"""Data protection: erase a leaver, and export everything held about one person.

Erasure anonymises the person but keeps their completions, attempts and bookings as
anonymous rows, so an agency's statistics for past years do not change."""
from __future__ import annotations

from sqlalchemy import select, update

from learning.extensions import db
from learning.external.records import evidence_key
from learning.storage import store
from learning.models import Completion, ExternalRecord, User, utcnow


def erase(user: User) -> None:
    for record in db.session.scalars(select(ExternalRecord).where(ExternalRecord.user_id == user.id)):
        key = evidence_key(record)
        if key is not None:
            store().delete(key)
        record.evidence_file = record.evidence_filename = None
        record.evidence_note = ""
    # A reflection is the person's own words: it goes; the completion stays, anonymous.
    db.session.execute(update(Completion).where(Completion.user_id == user.id)
                       .values(reflection=None, reflection_shared=False))
    user.name = f"Erased person {user.id}"
    user.email = f"erased-{user.id}@erased.invalid"
    user.job_title = None
    user.password_hash = None
    user.team_id = None
    user.active = False
    user.erased_at = utcnow()
    db.session.commit()
