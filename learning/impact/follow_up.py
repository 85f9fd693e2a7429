"""The follow-up, some months after a completion (FOLLOW_UP_DAYS, 90 by default): "Have you
used this learning in your practice?" (yes, no or not yet), an example and what got in the
way. Asked once per completion, by email and on My learning; sent by
`flask --app app send-follow-ups`.

The emailed link is signed for one follow-up and its person: it opens only when that person
is signed in, and only until they answer. A second answer changes nothing (the update is
conditional on the follow-up being unanswered).

The command asks BATCH completions at a time (claimed in one commit, then each message
written and sent), so its memory does not grow with the number due, and a log line says
how far it has got.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import exists, insert, select, update

from learning.auth.emails import compose
from learning.extensions import db
from learning.impact import in_batches
from learning.impact.models import FollowUp, Used
from learning.links import absolute_url
from learning.mail import send
from learning.models import Completion, Module, User, utcnow

# Completions this many days past their follow-up date are not followed up at all: the
# first run after the feature arrives does not email everyone about old learning.
LATEST_DAYS = 60
SALT = "impact-follow-up"
BATCH = 500  # completions claimed together, in one commit


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(follow_up: FollowUp) -> str:
    return _token(follow_up.id, follow_up.user_id)


def _token(follow_up_id: int, user_id: int) -> str:
    return _serializer().dumps([follow_up_id, user_id])


def from_token(token: str, user_id: int) -> FollowUp | None:
    """The follow-up a link names, if the link is genuine and for `user_id`; else None."""
    try:
        follow_up_id, for_user = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if for_user != user_id or not isinstance(follow_up_id, int):
        return None
    follow_up = db.session.get(FollowUp, follow_up_id)
    return follow_up if follow_up is not None and follow_up.user_id == user_id else None


def _due(now: datetime):
    days = current_app.config["FOLLOW_UP_DAYS"]
    return (select(Completion.id, Completion.user_id)
            .join(User, User.id == Completion.user_id)
            .where(Completion.completed_at <= now - timedelta(days=days),
                   Completion.completed_at > now - timedelta(days=days + LATEST_DAYS),
                   Completion.revoked_at.is_(None), User.active.is_(True), User.erased_at.is_(None),
                   ~exists().where(FollowUp.completion_id == Completion.id))
            .order_by(Completion.id))


def _message(asked):
    """The email for one follow-up: `asked` has the follow-up's id and user_id, the person's
    name and email, and the module's title."""
    return compose(
        asked.email, "Have you used your safeguarding learning?", f"Dear {asked.name},",
        [f"A few months ago you completed {asked.title}.",
         "Have you used this learning in your practice? It takes a minute to tell us, and it helps the "
         "partnership show what the learning from the review has changed."],
        absolute_url("practice.follow_up", token=_token(asked.id, asked.user_id)), "Answer 3 short questions",
        ["You need to sign in. The link works once, and only for you. You can also answer from My learning."])


def send_follow_ups(now: datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> int:
    """Ask about every completion now due; how many were asked."""
    now = now or utcnow()
    due = db.session.execute(_due(now)).all()
    if dry_run or not due:
        return len(due)
    return in_batches(due, batch, lambda rows: _ask(rows, now), "follow-ups")


def _ask(due, now: datetime) -> int:
    """One batch of (completion id, person id): claimed before sending, so a second run
    does not ask again; how many were sent."""
    db.session.execute(insert(FollowUp), [{"completion_id": c, "user_id": u, "sent_at": now} for c, u in due])
    db.session.commit()
    asked = db.session.execute(
        select(FollowUp.id, FollowUp.user_id, User.name, User.email, Module.title)
        .join(User, User.id == FollowUp.user_id).join(Completion, Completion.id == FollowUp.completion_id)
        .join(Module, Module.id == Completion.module_id)
        .where(FollowUp.completion_id.in_([c for c, _u in due])).order_by(FollowUp.completion_id)).all()
    return send([_message(row) for row in asked])


@dataclass(frozen=True)
class Answer:
    used: Used
    example: str | None
    barriers: str | None
    shared: bool


def answer(follow_up: FollowUp, given: Answer, now: datetime | None = None) -> bool:
    """Record the answer; False (and nothing changed) if it was answered already."""
    example = (given.example or "").strip() or None
    barriers = (given.barriers or "").strip() or None
    result = db.session.execute(
        update(FollowUp).where(FollowUp.id == follow_up.id, FollowUp.answered_at.is_(None))
        .values(answered_at=now or utcnow(), used=given.used.value, example=example, barriers=barriers,
                shared=bool(example or barriers) and given.shared))
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def open_for(user_id: int) -> list[tuple[FollowUp, str]]:
    """The person's unanswered follow-ups with the module's title, for My learning."""
    return [(f, title) for f, title in db.session.execute(
        select(FollowUp, Module.title).join(Completion, Completion.id == FollowUp.completion_id)
        .join(Module, Module.id == Completion.module_id)
        .where(FollowUp.user_id == user_id, FollowUp.answered_at.is_(None)).order_by(FollowUp.sent_at)).all()]
