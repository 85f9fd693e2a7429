"""The end-of-module reflection: "What will you do differently?"

The person's own words, saved with their completion. They always see it; their agency's
lead sees it only when the person has chosen to share it. Nobody else does: the
certificate's verification, the printed certificate and the reports leave it out.
"""
from __future__ import annotations

from learning.extensions import db
from learning.models import Completion, Role, User

MAX_LENGTH = 2000


def save(completion: Completion, words: str | None, shared: bool) -> None:
    text = (words or "").strip()
    completion.reflection = text or None
    # Nothing to share without words: an empty reflection is never "shared".
    completion.reflection_shared = bool(text) and shared
    db.session.commit()


def visible_to(completion: Completion, viewer: User) -> str | None:
    """The reflection, if `viewer` may read it: the person themselves, or, when they
    shared it, a lead of the person's agency."""
    if not completion.reflection:
        return None
    if completion.user_id == viewer.id:
        return completion.reflection
    is_their_lead = (viewer.role == Role.AGENCY_LEAD.value and viewer.agency_id is not None
                     and viewer.agency_id == completion.user.agency_id)
    return completion.reflection if completion.reflection_shared and is_their_lead else None
