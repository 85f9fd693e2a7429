"""What a certificate says, finding one by its code, and revoking one.

Every completion is a certificate. Its code (learning.learner.attempts.certificate_code) is 120
random bits written as six groups of four base32 characters, XXXX-XXXX-XXXX-XXXX-XXXX-XXXX.
People type codes with any case, spaces or dashes; `normalise_code` turns what they typed
into the stored form, or None when it cannot be a code at all (no database query needed).
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import joinedload

from learning import audit
from learning.extensions import db
from learning.links import absolute_url
from learning.models import Booking, Completion, CompletionSource, Course, CourseSession, ExternalRecord, User, utcnow

CODE_LENGTH = 24  # base32 characters: 15 random bytes, 120 bits
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")  # spaces and any kind of dash
_CODE = re.compile(rf"[A-Z2-7]{{{CODE_LENGTH}}}")


def normalise_code(raw: str | None) -> str | None:
    """The stored form of a typed code, or None if it cannot be one."""
    compact = _SEPARATORS.sub("", raw or "").upper()
    if not _CODE.fullmatch(compact):
        return None
    return "-".join(compact[i:i + 4] for i in range(0, CODE_LENGTH, 4))


class CertificateStatus(str, enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {"valid": "Valid", "expired": "Expired", "revoked": "Revoked"}[self.value]

    @property
    def tag_class(self) -> str:
        return {"valid": "govuk-tag--green", "expired": "govuk-tag--grey", "revoked": "govuk-tag--red"}[self.value]


def status_of(completion: Completion, now: datetime | None = None) -> CertificateStatus:
    """Revoked wins; otherwise valid while now < expires_at (as in learning/compliance/status.py)."""
    if completion.revoked_at is not None:
        return CertificateStatus.REVOKED
    if (now or utcnow()) < completion.expires_at:
        return CertificateStatus.VALID
    return CertificateStatus.EXPIRED


def find_by_code(raw: str | None) -> Completion | None:
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(
        select(Completion).options(joinedload(Completion.user), joinedload(Completion.module))
        .where(Completion.certificate_code == code)
    )


def my_certificates(user: User) -> list[Completion]:
    """The person's certificates, newest first. Revoked ones are left out."""
    return list(db.session.scalars(
        select(Completion).options(joinedload(Completion.module))
        .where(Completion.user_id == user.id, Completion.revoked_at.is_(None))
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
    ))


def all_certificates(user: User) -> list[Completion]:
    """Every certificate of a person, revoked ones included (for staff who look after records)."""
    return list(db.session.scalars(
        select(Completion).options(joinedload(Completion.module))
        .where(Completion.user_id == user.id)
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
    ))


def latest_by_module(user: User) -> dict[int, Completion]:
    """Per module, the person's certificate that runs out last (not revoked)."""
    latest: dict[int, Completion] = {}
    for completion in my_certificates(user):
        current = latest.get(completion.module_id)
        if current is None or completion.expires_at > current.expires_at:
            latest[completion.module_id] = completion
    return latest


@dataclass(frozen=True)
class Certificate:
    """Everything a certificate shows, ready for the template."""

    completion_id: int
    partnership: str
    name: str
    learning: str
    how: str
    completed_at: datetime
    expires_at: datetime
    version: int
    code: str
    verify_url: str
    status: CertificateStatus
    revoked_at: datetime | None


_HOW = {
    CompletionSource.ELEARNING.value: "E-learning",
    CompletionSource.COURSE.value: "Face-to-face course",
    CompletionSource.EXTERNAL.value: "Training done elsewhere, approved by the partnership",
}


def _course_titles(completions: list[Completion]) -> dict[int, str]:
    booking_ids = {c.booking_id for c in completions if c.booking_id}
    if not booking_ids:
        return {}
    return dict(db.session.execute(
        select(Booking.id, Course.title)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(Booking.id.in_(booking_ids))
    ).all())


def _external_titles(completions: list[Completion]) -> dict[int, str]:
    record_ids = {c.external_record_id for c in completions if c.external_record_id}
    if not record_ids:
        return {}
    rows = db.session.execute(
        select(ExternalRecord.id, ExternalRecord.title, ExternalRecord.provider).where(ExternalRecord.id.in_(record_ids))
    ).all()
    return {r.id: f"{r.title} ({r.provider})" for r in rows}


def certificates_for(completions: list[Completion], now: datetime | None = None) -> list[Certificate]:
    """Certificates for completions (each has its module and user loaded or loadable).

    The module is always the learning named: a course or external record completes a
    module, and the certificate says how (with the course or record title)."""
    now = now or utcnow()
    partnership = current_app.config["PARTNERSHIP_NAME"]
    courses, externals = _course_titles(completions), _external_titles(completions)
    result = []
    for c in completions:
        how = _HOW.get(c.source, c.source)
        if c.booking_id in courses:
            how = f"{how}: {courses[c.booking_id]}"
        elif c.external_record_id in externals:
            how = f"{how}: {externals[c.external_record_id]}"
        result.append(Certificate(
            completion_id=c.id, partnership=partnership, name=c.user.name, learning=c.module.title, how=how,
            completed_at=c.completed_at, expires_at=c.expires_at, version=c.module_version,
            code=c.certificate_code, verify_url=absolute_url("certificates.verify_code", code=c.certificate_code),
            status=status_of(c, now), revoked_at=c.revoked_at,
        ))
    return result


def revoke(completion: Completion, reason: str) -> bool:
    """Revoke a certificate: it shows as revoked when checked and no longer counts for
    compliance. False if it was already revoked (a double click, or someone else)."""
    # An UPDATE's result is a CursorResult (with rowcount); execute is typed for any statement.
    result = cast(CursorResult, db.session.execute(
        update(Completion).where(Completion.id == completion.id, Completion.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    audit.record("certificate_revoke", {
        "completion_id": completion.id, "user_id": completion.user_id, "module": completion.module.slug,
        "certificate_code": completion.certificate_code, "reason": reason,
    }, commit=False)
    db.session.commit()
    db.session.refresh(completion)
    return True
