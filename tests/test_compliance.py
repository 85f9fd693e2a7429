"""Compliance figures come from SQL and agree with the status rules in learning/compliance/status.py."""
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from learning.compliance import Scope, figures_by, pairs
from learning.compliance.staff import filtered_staff
from learning.compliance.status import Status, status_for
from learning.extensions import db
from learning.models import Requirement, Role, Sector, utcnow
from tests.conftest import module_row

SLUG = "police-protection"
WINDOW = 60


@pytest.fixture
def now():
    return utcnow()


def status_of(user, now, slug=SLUG):
    rows = db.session.execute(pairs(Scope(), now, user_ids=[user.id])).all()
    return {r.module_id: Status(r.status) for r in rows}[module_row(slug).id]


@pytest.mark.parametrize("days_left, expected", [
    (WINDOW + 1, Status.IN_DATE), (WINDOW, Status.EXPIRING), (1, Status.EXPIRING), (0, Status.EXPIRED), (-5, Status.EXPIRED),
])
def test_sql_status_matches_the_python_rule_at_the_boundaries(people, records, now, days_left, expected):
    pat = people.user()
    expiry = now + timedelta(days=days_left)
    records.completion(pat, SLUG, completed_at=now - timedelta(days=30), expires_at=expiry)
    assert status_of(pat, now) is expected
    assert status_for(expiry, False, now, WINDOW, False) is expected


@pytest.mark.parametrize("days_left, expected", [
    (None, Status.NOT_PASSED), (WINDOW + 1, Status.IN_DATE), (1, Status.EXPIRING), (0, Status.EXPIRED),
])
def test_sql_and_python_agree_on_a_failed_attempt_at_the_boundaries(people, records, now, days_left, expected):
    pat = people.user()
    expiry = None if days_left is None else now + timedelta(days=days_left)
    if expiry is not None:
        records.completion(pat, SLUG, completed_at=now - timedelta(days=30), expires_at=expiry)
    records.failed_attempt(pat, SLUG)
    assert status_of(pat, now) is expected
    assert status_for(expiry, False, now, WINDOW, True) is expected


def test_a_failed_attempt_is_not_passed_until_a_retake_opens(people, records, now):
    pat = people.user()
    records.failed_attempt(pat, SLUG)
    assert status_of(pat, now) is Status.NOT_PASSED
    records.open_attempt(pat, SLUG)
    assert status_of(pat, now) is Status.IN_PROGRESS


def test_in_progress_and_not_started(people, records, now):
    pat, sam = people.user("pat@example.org"), people.user("sam@example.org")
    records.open_attempt(pat, SLUG)
    assert status_of(pat, now) is Status.IN_PROGRESS
    assert status_of(sam, now) is Status.NOT_STARTED


def test_the_latest_completion_counts_and_revoked_ones_do_not(people, records, now):
    pat = people.user()
    records.completion(pat, SLUG, completed_at=now - timedelta(days=900), expires_at=now - timedelta(days=170))
    records.completion(pat, SLUG, completed_at=now - timedelta(days=10))
    assert status_of(pat, now) is Status.IN_DATE
    sam = people.user("sam@example.org")
    records.completion(sam, SLUG, completed_at=now - timedelta(days=10), revoked=True)
    assert status_of(sam, now) is Status.NOT_STARTED


def test_counts_cover_only_required_modules_and_active_staff(people, records, now):
    pat = people.user("pat@example.org")
    people.user("gone@example.org").active = False
    people.user("cora@example.org", role=Role.COORDINATOR)  # runs the service, not counted
    db.session.commit()
    records.completion(pat, SLUG, completed_at=now)
    police = module_row(SLUG).id
    figures = figures_by(Scope(), now=now)
    assert figures[police].required == 1 and figures[police].compliant == 1 and figures[police].percent == 100
    db.session.execute(delete(Requirement).where(Requirement.module_id == police, Requirement.sector == Sector.POLICE.value))
    db.session.commit()
    assert police not in figures_by(Scope(), now=now)


def test_figures_split_by_agency(people, records, now):
    pat = people.user("pat@example.org", agency="Police A")
    people.user("sam@example.org", agency="Police B")
    records.completion(pat, SLUG, completed_at=now)
    by_agency = figures_by(Scope(), by_agency=True, now=now)
    police = module_row(SLUG).id
    a, b = people.agency("Police A").id, people.agency("Police B").id
    assert by_agency[(a, police)].percent == 100 and by_agency[(b, police)].percent == 0


def test_the_staff_page_filters_by_status_team_and_name(people, records, now):
    pat = people.user("pat@example.org", name="Pat Fielding")
    people.user("sam@example.org", name="Sam Reid")
    records.completion(pat, SLUG, completed_at=now - timedelta(days=800), expires_at=now - timedelta(days=1))
    expired = filtered_staff(Scope(status=Status.EXPIRED, module_id=module_row(SLUG).id), 1, 10, now)
    assert expired.total == 1 and expired.people[0].name == "Pat Fielding"
    assert expired.statuses[pat.id][module_row(SLUG).id] is Status.EXPIRED
    assert [p.name for p in filtered_staff(Scope(search="reid"), 1, 10, now).people] == ["Sam Reid"]
    assert filtered_staff(Scope(search="%"), 1, 10, now).total == 0, "a % in the search is a character, not a wildcard"


def test_the_staff_page_costs_the_same_queries_for_5_or_60_staff(app, people, records, now, count_queries):
    def measure():
        with app.app_context(), count_queries() as n:
            filtered_staff(Scope(), 1, 25, now)
            figures_by(Scope(), by_agency=True, now=now)
            return n()

    for i in range(5):
        people.user(f"p{i}@example.org")
    small = measure()
    for i in range(5, 60):
        user = people.user(f"p{i}@example.org")
        records.completion(user, SLUG, completed_at=now)
    assert measure() == small <= 4


def test_partnership_figures_sum_each_agencys_modules_and_total_each_module(people, records):
    from learning.compliance.partnership import partnership_figures
    from learning.models import Module

    people.agency("North Police"), people.agency("North Health", Sector.HEALTH)
    people.agency("Quiet Agency", Sector.OTHER)
    done = people.user("done@example.org", agency="North Police")
    people.user("none@example.org", agency="North Police")
    people.user("nurse@example.org", agency="North Health")
    records.completion(done, SLUG, utcnow() - timedelta(days=1))
    modules = db.session.query(Module).count()

    figures = partnership_figures()
    lines = {line.agency.name: line for line in figures.agencies}
    assert [line.agency.name for line in figures.agencies] == ["North Health", "North Police", "Quiet Agency"]
    assert lines["North Police"].heads == 2 and lines["North Health"].heads == 1
    # People, not person-module pairs: "done" has one module in date and the rest not started.
    assert lines["North Police"].counts[Status.IN_DATE] == 1
    assert lines["North Police"].counts[Status.NOT_STARTED] == 2
    assert lines["North Police"].compliant == 0 and lines["North Police"].percent == 0
    assert lines["Quiet Agency"].heads == 0 and lines["Quiet Agency"].percent is None
    slug_figures = figures.by_module[module_row(SLUG).id]
    assert slug_figures.required == 3 and slug_figures.compliant == 1
    assert modules > 1


def test_an_agency_counts_the_staff_compliant_with_all_their_required_learning(people, records):
    from learning.compliance.partnership import partnership_figures

    now = utcnow()
    everything, half = people.user("all@example.org", agency="North Police"), people.user("half@example.org", agency="North Police")
    failed = people.user("failed@example.org", agency="North Police")
    required = [row.module_id for row in db.session.execute(pairs(Scope(), now, user_ids=[everything.id]))]
    slugs = {module_row_id: slug for slug, module_row_id in _slugs().items()}
    for module_id in required:
        records.completion(everything, slugs[module_id], now - timedelta(days=1))
    records.completion(half, slugs[required[0]], now - timedelta(days=1))
    records.failed_attempt(failed, slugs[required[0]])
    line = next(line for line in partnership_figures(now).agencies if line.agency.name == "North Police")
    assert line.heads == 3 and line.compliant == 1 and line.percent == 33
    assert line.counts[Status.IN_DATE] == 2 and line.counts[Status.NOT_STARTED] == 2
    assert line.counts[Status.NOT_PASSED] == 1
    assert filtered_staff(Scope(compliant=True), 1, 10, now).people[0].id == everything.id
    assert filtered_staff(Scope(compliant=True), 1, 10, now).total == 1


def _slugs() -> dict[str, int]:
    from learning.models import Module

    return dict(db.session.execute(select(Module.slug, Module.id)).all())
