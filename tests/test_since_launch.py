"""The change in compliance since the review's learning was launched, from the daily
snapshot, on the partnership and agency dashboards."""
from datetime import date

from learning.compliance.since_launch import since_launch
from learning.compliance.status import Status
from learning.extensions import db
from learning.models import ComplianceSnapshot, Role
from tests.conftest import module_row, sign_in

SLUG = "police-protection"


def snapshot(day, agency, status, people, slug=SLUG):
    db.session.add(ComplianceSnapshot(day=day, agency_id=agency.id, module_id=module_row(slug).id,
                                      status=status.value, people=people))


def history(people):
    police, health = people.agency("Police A"), people.agency("Health B")
    snapshot(date(2026, 1, 10), police, Status.NOT_STARTED, 10)  # before the launch: not counted when one is set
    snapshot(date(2026, 3, 2), police, Status.IN_DATE, 2)
    snapshot(date(2026, 3, 2), police, Status.NOT_STARTED, 8)
    snapshot(date(2026, 3, 2), health, Status.NOT_STARTED, 10)
    snapshot(date(2026, 12, 1), police, Status.IN_DATE, 6)
    snapshot(date(2026, 12, 1), police, Status.EXPIRING, 1)
    snapshot(date(2026, 12, 1), police, Status.EXPIRED, 3)
    snapshot(date(2026, 12, 1), health, Status.IN_DATE, 1)
    snapshot(date(2026, 12, 1), health, Status.NOT_STARTED, 9)
    db.session.commit()
    return police, health


def test_the_change_is_from_the_first_figures_on_or_after_the_launch_to_the_latest(app, people):
    police, _ = history(people)
    app.config["LEARNING_LAUNCHED"] = date(2026, 3, 1)
    try:
        found = since_launch()
    finally:
        app.config["LEARNING_LAUNCHED"] = None
    assert (found.first_day, found.last_day) == (date(2026, 3, 2), date(2026, 12, 1))
    (change,) = found.changes
    assert (change.then.compliant, change.then.required, change.then.percent) == (2, 20, 10)
    assert (change.now.compliant, change.now.required, change.now.percent) == (8, 20, 40)
    assert change.words == "Up 30 points" and change.then.words == "10% (2 of 20)"
    only_police = since_launch((police.id,), launched=date(2026, 3, 1)).changes[0]
    assert (only_police.then.percent, only_police.now.percent, only_police.words) == (20, 70, "Up 50 points")


def test_without_a_launch_date_the_change_is_since_the_first_figures_kept(people):
    history(people)
    found = since_launch()
    assert found.launched is None and found.first_day == date(2026, 1, 10)
    assert found.changes[0].then.words == "0% (0 of 10)"


def test_one_day_of_figures_is_nothing_to_compare(people):
    snapshot(date(2026, 12, 1), people.agency("Police A"), Status.IN_DATE, 1)
    db.session.commit()
    assert since_launch().empty


def test_the_dashboards_show_the_change_in_words_and_figures(app, client, people):
    police, _ = history(people)
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    app.config["LEARNING_LAUNCHED"] = date(2026, 3, 1)
    try:
        html = client.get("/dashboard/").get_data(as_text=True)
        lead = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A")
        sign_in(client, lead)
        agency_html = client.get(f"/dashboard/agencies/{police.id}").get_data(as_text=True)
    finally:
        app.config["LEARNING_LAUNCHED"] = None
    assert "Change since the learning was launched" in html
    assert "launched on 1 March 2026" in html and "2 March 2026" in html and "1 December 2026" in html
    assert "10% (2 of 20)" in html and "40% (8 of 20)" in html and "Up 30 points" in html
    assert "Compliance rose in 1 of 1 module." in html
    assert "20% (2 of 10)" in agency_html and "Up 50 points" in agency_html and "40% (8 of 20)" not in agency_html
