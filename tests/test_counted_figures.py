"""The partnership's figures counted by the worker and kept (learning/compliance/counted.py):
pages read them, say when they were counted, and ask for a count when they are old; the
staff list's numbers come from them and agree with counting afresh."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from learning.compliance import Scope, counted
from learning.compliance.counted_table import CountedFigures
from learning.compliance.partnership import count_partnership
from learning.compliance.staff import filtered_staff
from learning.compliance.status import Status
from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.jobs import periodic
from learning.models import Role, User, utcnow
from tests.conftest import module_row, sign_in

SLUG = "police-protection"


@pytest.fixture
def kept(app, monkeypatch):
    """Figures kept as in production (150 s), and this process free to ask for a count."""
    monkeypatch.setitem(app.config, "COUNTED_FIGURES_SECONDS", 150)
    monkeypatch.setattr(counted, "_asked", {})


@pytest.fixture
def partnership(people, records):
    coordinator = people.user("cat@example.org", role=Role.COORDINATOR, name="Cat Coordinator")
    done = people.user("done@example.org", agency="North Police", name="Dana Done")
    for content in catalogue().ordered():
        records.completion(done, content.slug, completed_at=utcnow() - timedelta(days=5))
    people.user("new@example.org", agency="North Police", name="Noor New")
    expired = people.user("old@example.org", agency="South Police", name="Olu Old")
    records.completion(expired, SLUG, completed_at=utcnow() - timedelta(days=900), expires_at=utcnow() - timedelta(days=2))
    opened = people.user("open@example.org", agency="South Police", name="Oona Open")
    records.open_attempt(opened, SLUG)
    records.failed_attempt(people.user("fail@example.org", agency="South Police", name="Fay Fail"), SLUG)
    return coordinator


def _kept_row():
    db.session.expire_all()
    return db.session.scalar(select(CountedFigures))


def test_before_the_first_count_the_dashboard_says_the_figures_are_being_counted(client, kept, partnership):
    sign_in(client, partnership)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "The figures are being counted" in page and "Agencies: number of staff" not in page
    # Asking queued a count (run at once in the tests): the next visit has the figures.
    assert _kept_row() is not None
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Agencies: number of staff" in page and "Counted at" in page


def test_the_dashboard_shows_the_figures_as_counted_until_they_are_counted_again(client, kept, partnership, people,
                                                                                records):
    counted.recount()
    sign_in(client, partnership)
    north = people.agency("North Police")
    compliant_link = f"/dashboard/staff?agency={north.id}&amp;status=compliant"
    assert client.get("/dashboard/").get_data(as_text=True).count(compliant_link) == 1
    newcomer = db.session.scalar(select(User).where(User.email == "new@example.org"))
    for content in catalogue().ordered():
        records.completion(newcomer, content.slug, completed_at=utcnow() - timedelta(days=1))
    page = client.get("/dashboard/").get_data(as_text=True)
    assert f'{compliant_link}">1<' in page  # still one: as counted
    counted.recount()
    assert f'{compliant_link}">2<' in client.get("/dashboard/").get_data(as_text=True)


def test_old_figures_are_shown_with_their_time_and_a_count_is_asked_for(client, kept, partnership):
    counted.recount()
    row = _kept_row()
    row.counted_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    sign_in(client, partnership)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Agencies: number of staff" in page
    assert _kept_row().counted_at > utcnow() - timedelta(minutes=1)  # counted again (at once, in the tests)


def test_a_count_is_skipped_when_the_figures_were_just_counted(kept, partnership):
    assert counted.recount() is True
    assert counted.recount(unless_newer_than=10) is False
    assert counted.recount() is True


def test_the_worker_counts_the_figures_every_minute(app, kept, partnership):
    assert _kept_row() is None
    periodic.count_partnership_figures()
    assert _kept_row() is not None


def test_kept_figures_survive_their_json(partnership):
    counts = count_partnership()
    again = counted.PartnershipCounts.from_json(counts.to_json())
    assert again == counts
    assert any(counts.people.values()) and any(counts.pairs.values())


@pytest.mark.parametrize("filters", [
    {}, {"status": Status.IN_DATE}, {"status": Status.EXPIRED}, {"status": Status.IN_PROGRESS},
    {"status": Status.NOT_PASSED}, {"status": Status.NOT_STARTED}, {"compliant": True},
    {"module": True, "status": Status.EXPIRED}, {"module": True, "status": Status.NOT_STARTED},
    {"module": True, "compliant": True}, {"module": True},
])
@pytest.mark.parametrize("agencies", ["all", "both", "south"])
def test_the_staff_numbers_from_kept_figures_agree_with_counting_afresh(people, partnership, filters, agencies):
    agency_ids = {"all": None, "both": (people.agency("North Police").id, people.agency("South Police").id),
                  "south": (people.agency("South Police").id,)}[agencies]
    scope = Scope(agency_ids=agency_ids, module_id=module_row(SLUG).id if filters.get("module") else None,
                  status=filters.get("status"), compliant=filters.get("compliant", False))
    now = utcnow()
    fresh = filtered_staff(scope, 1, 25, now=now, with_heads=True)
    assert counted.staff_total(scope, counted.Counted(count_partnership(now), now)) == (fresh.heads, fresh.total)


def test_a_team_or_a_name_search_is_not_answered_from_kept_figures(people, partnership):
    now = utcnow()
    kept_figures = counted.Counted(count_partnership(now), now)
    assert counted.staff_total(Scope(search="dana"), kept_figures) is None
    assert counted.staff_total(Scope(team_id=1), kept_figures) is None  # any team: the figures are per agency


def test_the_staff_list_says_when_its_number_was_counted(client, kept, partnership):
    counted.recount()
    sign_in(client, partnership)
    page = client.get("/dashboard/staff?status=compliant").get_data(as_text=True)
    assert "The number of staff was counted at" in page and "Dana Done" in page
    searched = client.get("/dashboard/staff?q=dana").get_data(as_text=True)
    assert "The number of staff was counted at" not in searched and "Dana Done" in searched


def test_the_dashboards_module_totals_from_kept_figures_agree_with_counting_them(partnership):
    from learning.compliance import figures_by
    from learning.compliance.partnership import figures_from

    counts = counted.PartnershipCounts.from_json(count_partnership().to_json())
    assert figures_from(counts).by_module == figures_by(Scope())


def test_two_workers_keeping_the_first_count_at_once_leave_one_row(kept, partnership, monkeypatch):
    counted.recount()
    first = _kept_row().counted_at
    # This worker looked before the other kept its count: it found no row.
    monkeypatch.setattr(db.session, "get", lambda *args, **kwargs: None)
    assert counted.recount() is True
    monkeypatch.undo()
    assert db.session.scalar(select(db.func.count()).select_from(CountedFigures)) == 1
    assert _kept_row().counted_at >= first
