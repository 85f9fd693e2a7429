"""Data protection: erase a leaver, and export everything held about one person.

Erasure anonymises the person but keeps their completions, attempts and bookings as
anonymous rows, so an agency's statistics for past years do not change. The log of course
emails sent to them (session_email) goes: it only showed coordinators who was told what,
and counts nothing."""
from __future__ import annotations

from sqlalchemy import delete, select, update

from learning.extensions import db
from learning.external.records import evidence_key
from learning.impact.personal import erase_words
from learning.models import Completion, ExternalRecord, SessionEmail, User, utcnow
from learning.storage import store


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
    db.session.execute(delete(SessionEmail).where(SessionEmail.user_id == user.id))
    erase_words(user.id)  # follow-up and evaluation words go; the ratings and answers stay
    user.name = f"Erased person {user.id}"
    user.email = f"erased-{user.id}@erased.invalid"
    user.job_title = None
    user.password_hash = None
    user.team_id = None
    user.active = False
    user.erased_at = utcnow()
    db.session.commit()
