"""Dashboards: agency leads see their own agency only, whatever is put in the URL."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from learning.extensions import db
from learning.models import Module, Requirement, Role, utcnow
from tests.conftest import module_row, sign_in
from tests.journey import answer_all, start

SLUG = "police-protection"


@pytest.fixture
def two_agencies(people, records):
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A", name="Lee Lead")
    mine = people.user("mine@example.org", agency="Police A", name="Mina Mine")
    theirs = people.user("theirs@example.org", agency="Police B", name="Theo Theirs")
    records.completion(mine, SLUG, completed_at=utcnow() - timedelta(days=10))
    return lead, mine, theirs


def test_a_lead_is_sent_to_their_own_agency(client, two_agencies, people):
    lead, mine, theirs = two_agencies
    sign_in(client, lead)
    response = client.get("/dashboard/")
    assert response.location.endswith(f"/dashboard/agencies/{people.agency('Police A').id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Mina Mine" in page and "Theo Theirs" not in page


def test_a_lead_gets_404_for_another_agencys_pages_and_exports(app, client, two_agencies, people):
    lead, mine, theirs = two_agencies
    other = people.agency("Police B").id
    sign_in(client, lead)
    for url in (f"/dashboard/agencies/{other}", f"/dashboard/staff?agency={other}", f"/dashboard/people/{theirs.id}", f"/people/{theirs.id}",
                f"/dashboard/compliance.xlsx?agency={other}", f"/dashboard/completions?agency={other}&module={SLUG}"):
        assert client.get(url).status_code == 404, url


def test_a_lead_gets_404_for_another_agencys_attempt(app, client, two_agencies):
    lead, mine, theirs = two_agencies
    their_browser = app.test_client()
    sign_in(their_browser, theirs)
    attempt_id = start(their_browser, SLUG)
    answer_all(their_browser, attempt_id)
    sign_in(client, lead)
    assert client.get(f"/dashboard/attempts/{attempt_id}").status_code == 404


def test_a_lead_can_open_their_own_staffs_record_and_attempt(app, client, two_agencies):
    lead, mine, theirs = two_agencies
    browser = app.test_client()
    sign_in(browser, mine)
    attempt_id = start(browser, SLUG)
    answer_all(browser, attempt_id, wrong=1)
    sign_in(client, lead)
    record = client.get(f"/people/{mine.id}").get_data(as_text=True)
    assert "Mina Mine" in record and f"/dashboard/attempts/{attempt_id}" in record
    review = client.get(f"/dashboard/attempts/{attempt_id}").get_data(as_text=True)
    assert review.count("Right answer") == 8


def test_a_lead_filtering_by_another_agencys_team_sees_their_own_staff_only(client, two_agencies, people, ctx):
    from learning.extensions import db
    from learning.models import Team

    lead, mine, theirs = two_agencies
    team = Team(agency_id=people.agency("Police B").id, name="Their team")
    db.session.add(team)
    theirs.team_id = team.id
    db.session.commit()
    sign_in(client, lead)
    page = client.get(f"/dashboard/staff?team={team.id}").get_data(as_text=True)
    assert "Theo Theirs" not in page


def test_the_team_filter_is_offered_within_one_agency_only(client, two_agencies, people, ctx):
    from learning.extensions import db
    from learning.models import Team

    lead, mine, theirs = two_agencies
    police_a = people.agency("Police A")
    team = Team(agency_id=police_a.id, name="North team")
    db.session.add(team)
    db.session.flush()
    mine.team_id = team.id
    db.session.commit()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    everyone = client.get("/dashboard/staff").get_data(as_text=True)
    assert 'id="team"' not in everyone and "Mina Mine" in everyone
    assert "North team" in everyone  # still shown beside the person's name
    one_agency = client.get(f"/dashboard/staff?agency={police_a.id}").get_data(as_text=True)
    assert 'id="team"' in one_agency and f'value="{team.id}"' in one_agency
    filtered = client.get(f"/dashboard/staff?agency={police_a.id}&team={team.id}").get_data(as_text=True)
    assert "Mina Mine" in filtered


def test_practitioners_cannot_open_dashboards(client, two_agencies):
    lead, mine, theirs = two_agencies
    sign_in(client, mine)
    for url in ("/dashboard/", "/dashboard/staff", "/dashboard/compliance.xlsx", "/dashboard/misconceptions"):
        assert client.get(url).status_code == 403, url


def test_the_coordinator_sees_every_agency_and_figures_link_to_staff(client, two_agencies, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Police A" in page and "Police B" in page
    a = people.agency("Police A").id
    assert f'href="/dashboard/staff?agency={a}&amp;status=in_date"' in page
    staff = client.get(f"/dashboard/staff?agency={a}&status=in_date").get_data(as_text=True)
    assert "Mina Mine" in staff and "Lee Lead" not in staff


def test_filters_and_search_narrow_the_staff_list(client, two_agencies, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    module = module_row(SLUG).id
    page = client.get(f"/dashboard/staff?module={module}&status=not_started").get_data(as_text=True)
    assert "Theo Theirs" in page and "Mina Mine" not in page
    page = client.get("/dashboard/staff?q=theo").get_data(as_text=True)
    assert "Theo Theirs" in page and "Mina Mine" not in page
    empty = client.get("/dashboard/staff?q=nobody-at-all").get_data(as_text=True)
    assert "No staff match these filters." in empty


def test_the_staff_list_is_paginated(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    for i in range(30):
        people.user(f"p{i:02}@example.org", name=f"Person {i:02}")
    first = client.get("/dashboard/staff").get_data(as_text=True)
    assert "Person 00" in first and "Person 29" not in first
    assert 'href="/dashboard/staff?page=2" aria-label="Page 2"' in first and 'aria-current="page"' in first
    second = client.get("/dashboard/staff?page=2").get_data(as_text=True)
    assert "Person 29" in second


def test_the_misconception_figures_are_for_leads_and_coordinators(client, two_agencies, people):
    lead, *_ = two_agencies
    sign_in(client, lead)
    assert "Questions staff get wrong" in client.get("/dashboard/misconceptions").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    page = client.get("/dashboard/misconceptions").get_data(as_text=True)
    assert "Questions staff get wrong" in page


def test_dashboard_pages_run_the_same_few_queries_for_5_or_40_staff(app, client, people, records, count_queries):
    from learning.models import utcnow

    coordinator = people.user("cora@example.org", role=Role.COORDINATOR)
    sign_in(client, coordinator)
    agency = people.agency("Police A").id
    urls = ["/dashboard/", f"/dashboard/agencies/{agency}", "/dashboard/staff?status=expired&page=1"]

    def measure():
        counts = []
        for url in urls:
            with count_queries() as n:
                assert client.get(url).status_code == 200
                counts.append(n())
        return counts

    for i in range(5):
        user = people.user(f"p{i}@example.org", agency="Police A")
        records.completion(user, SLUG, completed_at=utcnow() - timedelta(days=900))
    small = measure()
    for i in range(5, 40):
        user = people.user(f"p{i}@example.org", agency="Police A")
        records.completion(user, SLUG, completed_at=utcnow() - timedelta(days=900))
    # The agency page: session, person, figures, people counts, trend and change since launch.
    assert measure() == small and max(small) <= 12, small


def test_names_with_markup_show_as_text_in_the_staff_matrix(client, people):
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    people.user("odd@example.org", agency="Police A", name='<b id="x">Bold</b> Name')
    sign_in(client, lead)
    page = client.get(f"/dashboard/agencies/{people.agency('Police A').id}").get_data(as_text=True)
    assert "&lt;b id=&#34;x&#34;&gt;Bold&lt;/b&gt; Name" in page
    assert '<b id="x">' not in page


def test_the_staff_matrix_joins_markup_pieces_only():
    from markupsafe import Markup

    from learning.compliance.views import join_markup

    pieces = {1: Markup("<td>Done</td>"), 2: Markup("<td>Due</td>")}
    assert join_markup([2, 1, 2], pieces) == "<td>Due</td><td>Done</td><td>Due</td>"
    with pytest.raises(TypeError, match="Markup pieces only"):
        join_markup([1], {1: "<td>plain text</td>"})


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.COORDINATOR])
def test_every_page_a_dashboard_links_to_opens_without_errors(client, people, records, role):
    viewer = people.user("viewer@example.org", role=role, agency="Police A")
    people.user("pat@example.org", agency="Police A")
    sign_in(client, viewer)
    dashboard = client.get("/dashboard/", follow_redirects=True).get_data(as_text=True)
    links = {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"#]*)', dashboard)
             if not href.endswith((".xlsx", ".pdf")) and ".xlsx?" not in href and not href.startswith("/static")}
    assert any(link.startswith("/dashboard/completions") for link in links)
    for link in sorted(links):
        page = client.get(link).get_data(as_text=True)
        assert "There is a problem" not in page and "<title>Error" not in page, link


def test_each_partnership_figure_opens_exactly_that_many_people(client, people, records):
    now = utcnow()
    cora = people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership")
    done, late, failed = (people.user(f"{n}@example.org", agency="Police A") for n in ("done", "late", "failed"))
    people.user("new@example.org", agency="Police B")
    records.completion(done, SLUG, completed_at=now - timedelta(days=10))
    records.completion(late, SLUG, completed_at=now - timedelta(days=900), expires_at=now - timedelta(days=1))
    records.completion(late, "escalation", completed_at=now - timedelta(days=10))
    records.failed_attempt(failed, SLUG)
    everything = people.user("all@example.org", agency="Police A")
    for slug in db.session.scalars(select(Module.slug).join(Requirement, Requirement.module_id == Module.id)
                                   .where(Requirement.sector == people.agency("Police A").sector)):
        records.completion(everything, slug, completed_at=now - timedelta(days=10))
    sign_in(client, cora)
    dashboard = client.get("/dashboard/").get_data(as_text=True).replace("&amp;", "&")
    figures = re.findall(r'href="(/dashboard/staff\?[^"]*)">(\d+)<span', dashboard)
    assert (f"/dashboard/staff?agency={people.agency('Police A').id}&status=compliant", "1") in figures
    assert any("status=not_passed" in link for link, _ in figures)
    assert len(figures) > 8
    for link, shown in figures:
        listed = client.get(link).get_data(as_text=True)
        assert re.search(r"(\d+) (?:person|people);", listed).group(1) == shown, link
        assert listed.count('class="govuk-table__row"') - 1 == int(shown), link  # the rows under the heading
