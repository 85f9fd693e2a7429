"""The kept compliance summary (learning/compliance/summary.py) stays equal to the full
computation whatever is written, through the service functions people's actions run."""
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from learning.certificates.service import revoke
from learning.compliance import memo, summary
from learning.compliance.counted_table import CountedFigures
from learning.compliance.partnership import partnership_figures
from learning.compliance.summary_table import CompliancePerson, ComplianceSummary
from learning.content.catalogue import catalogue
from learning.courses import bookings
from learning.data_protection import erase
from learning.extensions import db
from learning.external import records as external
from learning.learner import attempts
from learning.models import (
    Agency,
    BookingStatus,
    Completion,
    Requirement,
    Role,
    Sector,
    User,
    utcnow,
)
from tests.conftest import module_row

SLUGS = ["police-protection", "escalation"]


def _take_module(user: User, slug: str, right: bool) -> None:
    """Start (or resume) a module, answer every question, submit: through the learner's code."""
    module, content = module_row(slug), catalogue().modules[slug]
    started = attempts.start_or_resume(user, module, content, random.Random(1))  # noqa: S311  # a repeatable draw, not a secret
    attempt = attempts.learner_attempt(started.attempt_id)
    for drawn in attempt.questions:
        if drawn.answered_at is None:
            question = content.question(drawn.question_id)
            chosen = question.correct_ids() if right else [o for o in drawn.option_order if o not in question.correct_ids()][:1]
            attempts.answer(attempt, drawn, content, chosen or drawn.option_order[:1])
    attempts.submit(attempts.learner_attempt(started.attempt_id), content)


class World:
    """Three people in two agencies (police and health), written to only through the app's
    service functions (or, where a coordinator's form does no more, the ORM as it does)."""

    def __init__(self, tag: str):
        self.agencies = [Agency(name=f"{tag} police", sector=Sector.POLICE.value),
                         Agency(name=f"{tag} health", sector=Sector.HEALTH.value)]
        db.session.add_all(self.agencies)
        db.session.flush()
        self.people = [User(email=f"{tag}-{i}@example.org", name=f"Person {i}", role=Role.PRACTITIONER.value,
                            agency_id=self.agencies[i % 2].id) for i in range(3)]
        self.reviewer = User(email=f"{tag}-lead@example.org", name="Lead", role=Role.COORDINATOR.value)
        db.session.add_all([*self.people, self.reviewer])
        db.session.commit()
        self.course = bookings.create_course(f"{tag} course", "A course", 12, [module_row(SLUGS[0])])

    def do(self, op: str, who: int, which: int) -> None:
        person, slug = self.people[who], SLUGS[which % 2]
        getattr(self, op)(person, slug)
        db.session.commit()

    def start(self, person, slug):
        attempts.start_or_resume(person, module_row(slug), catalogue().modules[slug], random.Random(2))  # noqa: S311  # a repeatable draw, not a secret

    def pass_module(self, person, slug):
        _take_module(person, slug, right=True)

    def fail_module(self, person, slug):
        _take_module(person, slug, right=False)

    def revoke_latest(self, person, slug):
        completion = db.session.scalar(select(Completion).where(
            Completion.user_id == person.id, Completion.revoked_at.is_(None)).order_by(Completion.id.desc()))
        if completion is not None:
            revoke(completion, "Recorded in error")

    def external_learning(self, person, slug):
        record = external.submit(person, "Course elsewhere", "Provider", date.today() - timedelta(days=400), "", None)
        external.approve(record, self.reviewer, [module_row(slug)])

    def attend_course(self, person, slug, mark=BookingStatus.ATTENDED):
        starts = utcnow() - timedelta(days=3)
        session = bookings.create_session(self.course, starts, starts + timedelta(hours=2), "Room", False, 5, "Trainer")
        booking = bookings.book(session, person, now=starts - timedelta(days=5))
        bookings.take_register(session, {booking.id: mark})
        if slug == SLUGS[1]:  # and then marked absent after all: the completion is revoked
            bookings.take_register(session, {booking.id: BookingStatus.ABSENT})

    def move(self, person, slug):
        person.agency_id = self.agencies[0].id if person.agency_id == self.agencies[1].id else self.agencies[1].id

    def deactivate(self, person, slug):
        person.active = not person.active

    def make_lead(self, person, slug):
        person.role = Role.COORDINATOR.value if person.role == Role.PRACTITIONER.value else Role.PRACTITIONER.value

    def erase(self, person, slug):
        erase(person)

    def requirement(self, person, slug):
        """A coordinator adds or removes a module from a sector's required learning."""
        sector = db.session.get(Agency, person.agency_id).sector
        found = db.session.scalar(select(Requirement).where(Requirement.sector == sector,
                                                            Requirement.module_id == module_row(slug).id))
        if found is None:
            db.session.add(Requirement(sector=sector, module_id=module_row(slug).id))
        elif slug == SLUGS[0]:
            db.session.delete(found)
        else:  # the same, as one Core statement
            db.session.execute(delete(Requirement).where(Requirement.id == found.id))

    def agency(self, person, slug):
        agency = db.session.get(Agency, person.agency_id)
        if slug == SLUGS[0]:
            agency.active = not agency.active
        else:
            agency.sector = Sector.EDUCATION.value if agency.sector != Sector.EDUCATION.value else Sector.POLICE.value

    def expire_by_core(self, person, slug):
        """A Core UPDATE through the session (as revocation and submit use)."""
        db.session.execute(update(Completion).where(Completion.user_id == person.id)
                           .values(expires_at=utcnow() - timedelta(days=1)))


OPS = [name for name in vars(World) if not name.startswith("_") and name != "do"]
_worlds = iter(range(10**6))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 2), st.integers(0, 1)), min_size=1, max_size=12))
def test_the_summary_agrees_with_the_full_computation_after_any_writes(ctx, steps):
    world = World(f"w{next(_worlds)}")
    assert summary.verify() == []
    for op, who, which in steps:
        world.do(op, who, which)
        assert summary.verify() == [], (op, who, which)


def test_verify_reports_a_difference_and_rebuild_puts_it_right(people, records, runner):
    pat = people.user()
    records.completion(pat, SLUGS[0], completed_at=utcnow() - timedelta(days=10))
    assert summary.verify() == []
    with summary.paused():  # a write the summary does not see
        db.session.execute(delete(Completion))
        db.session.commit()
    differences = summary.verify()
    assert [kind for kind, _ in differences] == ["missing", "extra"]
    result = runner.invoke(args=["summary", "verify"])
    assert result.exit_code == 1
    assert f"person {pat.id}, module {module_row(SLUGS[0]).id}" in result.output
    result = runner.invoke(args=["summary", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Counted the partnership's figures again" in result.output
    assert db.session.get(CountedFigures, "partnership") is not None
    assert runner.invoke(args=["summary", "verify"]).exit_code == 0
    assert summary.verify() == []


def test_verify_reports_a_wrong_per_person_row(people, records, runner):
    pat = people.user()
    with summary.paused():
        db.session.execute(update(CompliancePerson).where(CompliancePerson.user_id == pat.id)
                           .values(compliant_until=utcnow() + timedelta(days=300)))
        db.session.commit()
    assert [kind for kind, _ in summary.verify()] == ["person missing", "person extra"]
    result = runner.invoke(args=["summary", "verify"])
    assert result.exit_code == 1 and f"person {pat.id} of agency {pat.agency_id}, compliant with all until" in result.output
    runner.invoke(args=["summary", "rebuild"])
    assert summary.verify() == []


def test_only_counted_pairs_are_kept(people):
    pat = people.user()
    coordinator = people.user("cat@example.org", role=Role.COORDINATOR)
    kept = set(db.session.execute(select(ComplianceSummary.user_id, ComplianceSummary.module_id)).all())
    required = db.session.scalar(select(db.func.count()).select_from(Requirement).where(Requirement.sector == "police"))
    assert {user for user, _ in kept} == {pat.id}
    assert len(kept) == required
    assert coordinator.id not in {user for user, _ in kept}


@pytest.fixture
def memo_seconds(app):
    app.config["SUMMARY_MEMO_SECONDS"] = 60
    memo.clear()
    yield
    app.config["SUMMARY_MEMO_SECONDS"] = 0
    memo.clear()


def test_the_partnership_figures_are_kept_until_this_process_writes(people, records, memo_seconds):
    pat = people.user()
    before = partnership_figures()
    line = next(line for line in before.agencies if line.agency.id == pat.agency_id)
    assert line.compliant == 0
    db.session.execute(update(User).where(User.id == pat.id).values(name="Pat Renamed"))  # not a summary column
    db.session.commit()
    assert partnership_figures().agencies[0].compliant == 0
    for content in catalogue().ordered():  # every module is required of every sector by default
        records.completion(pat, content.slug, completed_at=utcnow() - timedelta(days=1))
    after = next(line for line in partnership_figures().agencies if line.agency.id == pat.agency_id)
    assert after.compliant == 1


def test_the_counted_figures_agree_with_each_pair_status(people, records):
    """The figures count each pair's status as a bit (compliance BITS); they must agree
    with the statuses the pairs statement gives, pair by pair and person by person."""
    from collections import Counter

    from learning.compliance import Scope, figures_by, pairs
    from learning.compliance.status import Status

    now = utcnow()
    pat, sam, kim = people.user(), people.user("sam@example.org"), people.user("kim@example.org")
    records.completion(pat, SLUGS[0], completed_at=now - timedelta(days=30))
    records.completion(sam, SLUGS[0], completed_at=now - timedelta(days=800), expires_at=now + timedelta(days=5))
    records.completion(kim, SLUGS[1], completed_at=now - timedelta(days=900), expires_at=now - timedelta(days=1))
    records.failed_attempt(sam, SLUGS[1])
    records.open_attempt(kim, SLUGS[0])
    rows = db.session.execute(pairs(Scope(), now)).all()
    per_module = {m: Counter(Status(r.status) for r in rows if r.module_id == m) for m in {r.module_id for r in rows}}
    figures = figures_by(Scope(), now=now)
    assert {m: {s: n for s, n in f.counts.items() if n} for m, f in figures.items()} == per_module
    line = next(line for line in partnership_figures(now).agencies if line.agency.id == pat.agency_id)
    for status in Status:
        assert line.counts[status] == len({r.user_id for r in rows if r.status == status.value}), status
    assert line.compliant == 0 and line.heads == 3
