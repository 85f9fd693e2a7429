"""One person's whole record, for the agency lead or coordinator who looks after them: status
and attempts per module, courses booked and attended, training done elsewhere, certificates
and the reflections shared with the viewer.

A fixed number of queries whatever the length of the history: each list is one statement
(with what it shows loaded alongside), never a query per row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from learning.certificates.service import Certificate, all_certificates, certificates_for
from learning.extensions import db
from learning.learner import reflection as reflections
from learning.learner.my_learning import ModuleLine, learning_summary
from learning.models import Agency, Booking, Completion, CourseSession, ExternalRecord, Requirement, User


@dataclass
class PersonRecord:
    required: list[ModuleLine]  # every module required of the person, in catalogue order
    other: list[ModuleLine]  # modules not required of them that they have attempted or completed
    bookings: list[Booking]  # every course booking, newest session first (session and course loaded)
    external: list[ExternalRecord]  # training done elsewhere, newest first (modules loaded)
    certificates: list[Certificate]  # every certificate, revoked ones included, newest first
    reflections: list[tuple[Completion, str]]  # reflections the viewer may read

    @property
    def attempts(self) -> int:
        return sum(len(line.attempts) for line in self.required + self.other)


def _required_module_ids(person: User) -> set[int]:
    """The modules the person's agency's sector requires (none without an agency)."""
    if person.agency_id is None:
        return set()
    return set(db.session.scalars(
        select(Requirement.module_id).join(Agency, Agency.sector == Requirement.sector)
        .where(Agency.id == person.agency_id)))


def _bookings(person: User) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).join(Booking.session).join(CourseSession.course)
        .options(contains_eager(Booking.session).contains_eager(CourseSession.course))
        .where(Booking.user_id == person.id)
        .order_by(CourseSession.starts_at.desc(), Booking.id.desc())))


def _external(person: User) -> list[ExternalRecord]:
    return list(db.session.scalars(
        select(ExternalRecord).options(selectinload(ExternalRecord.modules))
        .where(ExternalRecord.user_id == person.id)
        .order_by(ExternalRecord.completed_on.desc(), ExternalRecord.id.desc())))


def person_record(person: User, viewer: User, now: datetime | None = None) -> PersonRecord:
    lines = learning_summary(person, now)
    required = _required_module_ids(person)
    completions = all_certificates(person)
    return PersonRecord(
        required=[line for line in lines if line.module_id in required],
        other=[line for line in lines if line.module_id not in required and (line.attempts or line.expires_at)],
        bookings=_bookings(person),
        external=_external(person),
        certificates=certificates_for(completions, now),
        reflections=[(c, text) for c in completions if (text := reflections.visible_to(c, viewer))],
    )
