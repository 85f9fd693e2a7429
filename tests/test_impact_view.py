"""The impact page: per recommendation and agency, people trained, confidence before and
after and use at follow-up; cells from fewer than 5 people hidden; free text only to
coordinators and, what was shared, to the agency's own lead."""
from __future__ import annotations

from datetime import timedelta

from markupsafe import escape

from learning.extensions import db
from learning.impact.models import ConfidenceRating, FollowUp
from learning.models import Role, utcnow
from tests.conftest import sign_in

SLUG = "police-protection"  # teaches rec-police-protection only
TITLE = "Raise awareness and understanding of police protection"


def trained(people, records, count: int, agency: str = "Test Police", prefix: str = "p", before=2, after=4,
            used: str | None = "yes", example: str | None = None, shared: bool = False):
    """`count` people of `agency` who completed the module, rated it before and after and
    answered the follow-up."""
    made = []
    for n in range(count):
        person = people.user(f"{prefix}{n}@example.org", agency=agency)
        completion = records.completion(person, SLUG, utcnow() - timedelta(days=100))
        attempt_id = _attempt(person)
        completion.attempt_id = attempt_id
        db.session.add_all([
            ConfidenceRating(user_id=person.id, attempt_id=attempt_id, moment="before",
                             recommendation="rec-police-protection", rating=before),
            ConfidenceRating(user_id=person.id, attempt_id=attempt_id, moment="after",
                             recommendation="rec-police-protection", rating=after)])
        if used:
            db.session.add(FollowUp(completion_id=completion.id, user_id=person.id, answered_at=utcnow(), used=used,
                                    example=example and f"{example} {n}", shared=shared))
        db.session.commit()
        made.append(person)
    return made


def _attempt(person) -> int:
    from learning.models import Attempt
    from tests.conftest import module_row
    module = module_row(SLUG)
    attempt = Attempt(user_id=person.id, module_id=module.id, module_version=module.version, total=8,
                      status="submitted", score=8, passed=True, path=[])
    db.session.add(attempt)
    db.session.commit()
    return attempt.id


def page(app, person, query: str = "") -> str:
    client = app.test_client()
    sign_in(client, person)
    response = client.get("/impact/" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def coordinator(people):
    from sqlalchemy import select

    from learning.models import User
    return (db.session.scalar(select(User).where(User.email == "cat@example.org"))
            or people.user("cat@example.org", Role.COORDINATOR, "Partnership"))


def test_four_people_are_hidden_and_five_are_shown(app, people, records):
    trained(people, records, 4)
    html = page(app, coordinator(people))
    assert "Cells for fewer than 5 people are hidden so no one can be identified." in html
    assert "fewer than 5" in html and "2.0 to 4.0" not in html
    trained(people, records, 1, prefix="q")
    html = page(app, coordinator(people))
    assert "2.0 to 4.0" in html and "+2.0, 5 people" in html and "100% <span class=\"govuk-body-s\">of 5" in html
    assert f"{TITLE}: 2.0 before, 4.0 after (5 people)" in html  # the chart's accessible name
    assert '<svg class="app-impact-chart"' in html and "Confidence before to after" in html  # chart and table


def test_the_follow_up_share_counts_people_who_said_yes_and_hides_small_cells(app, people, records):
    trained(people, records, 3, used="yes")
    trained(people, records, 2, prefix="n", used="not_yet")
    html = page(app, coordinator(people))
    assert "60% <span class=\"govuk-body-s\">of 5" in html


def test_a_lead_sees_only_their_agency_and_only_the_examples_shared_with_them(app, people, records):
    trained(people, records, 5, agency="Other Health", prefix="o", example="Elsewhere example", shared=True)
    trained(people, records, 5, example="Shared example", shared=True)
    trained(people, records, 5, prefix="k", example="Kept example", shared=False)  # the newest
    lead = people.user("lee@example.org", Role.AGENCY_LEAD, "Test Police")
    html = page(app, lead)
    assert "Shared example" in html and "Kept example" not in html and "Elsewhere example" not in html
    assert "Other Health" not in html and "+2.0, 10 people" in html
    everyone = page(app, coordinator(people))
    assert "Other Health" in everyone and "+2.0, 15 people" in everyone
    assert "Kept example" in everyone  # coordinators read every example (the newest 3), never with a name
    assert str(escape("P0")) not in everyone and "p0@example.org" not in everyone


def test_practitioners_cannot_open_it_and_a_bad_period_says_so(app, people, records):
    client = app.test_client()
    sign_in(client, people.user())
    assert client.get("/impact/").status_code == 403
    html = page(app, coordinator(people), "?start=1&start=1&start=2026&end=1&end=1&end=2025")
    assert "The end date must be the same as or after the start date" in html


def test_the_period_limits_the_figures(app, people, records):
    trained(people, records, 5)
    assert "5 people" in page(app, coordinator(people))
    html = page(app, coordinator(people), "?start=1&start=1&start=2090")
    assert "There are no figures yet for this period." in html


def test_seed_demo_gives_every_view_figures_some_shown_and_some_hidden(app, runner, people):
    from sqlalchemy import func, select

    from learning.demo import DEFAULT_PASSWORD
    from learning.impact.models import CourseEvaluation
    from learning.models import User

    assert runner.invoke(args=["seed-demo", "--password", DEFAULT_PASSWORD]).exit_code == 0
    counts = [db.session.scalar(select(func.count(m.id))) for m in (ConfidenceRating, FollowUp, CourseEvaluation)]
    assert all(counts), counts
    assert runner.invoke(args=["seed-demo", "--password", DEFAULT_PASSWORD]).exit_code == 0
    assert [db.session.scalar(select(func.count(m.id))) for m in (ConfidenceRating, FollowUp, CourseEvaluation)] == counts
    html = page(app, coordinator(people))
    assert " people)" in html and "fewer than 5" in html and "Examples people gave" in html
    lead = db.session.scalar(select(User).where(User.email == "lead@example.org"))
    lead.set_password("correct horse battery staple")
    db.session.commit()
    assert "people)" in page(app, lead)


def test_the_page_runs_the_same_few_queries_for_5_people_or_15(app, people, records, count_queries):
    client = app.test_client()
    sign_in(client, coordinator(people))
    trained(people, records, 5, example="An example", shared=True)
    with count_queries() as n:
        assert client.get("/impact/").status_code == 200
    small = n()
    trained(people, records, 10, agency="Other Health", prefix="m", example="Another", shared=True)
    with count_queries() as n:
        assert client.get("/impact/").status_code == 200
    assert n() == small <= 12, (small, n())
