"""Agencies, teams and people: who may manage whom, and that nothing is lost on the way."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learning.extensions import db
from learning.models import Agency, Attempt, AttemptStatus, AuditEvent, Completion, Role, Sector, Team, User, utcnow
from tests.conftest import PASSWORD, module_row, sign_in


def _team(agency: Agency, name: str) -> Team:
    team = Team(agency_id=agency.id, name=name)
    db.session.add(team)
    db.session.commit()
    return team


def _history(user: User) -> None:
    """One submitted attempt and its completion."""
    module = module_row("police-protection")
    now = utcnow()
    attempt = Attempt(user_id=user.id, module_id=module.id, module_version=module.version, total=8, path=[],
                      status=AttemptStatus.SUBMITTED.value, submitted_at=now, score=8, passed=True)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(Completion(user_id=user.id, module_id=module.id, attempt_id=attempt.id, completed_at=now,
                              expires_at=now + timedelta(days=365), module_version=module.version, score=100,
                              certificate_code=f"TEST-{user.id}"))
    db.session.commit()


def _events(action: str) -> list[dict]:
    return [json.loads(e.detail) for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- agencies and teams -------------------------------------------------------------------


def test_the_agencies_page_says_so_when_there_are_no_agencies(client, people):
    coordinator = User(email="cora@example.org", name="Cora", role="coordinator")
    coordinator.set_password(PASSWORD)
    db.session.add(coordinator)
    db.session.commit()
    sign_in(client, coordinator)
    assert "There are no agencies yet" in client.get("/agencies/").get_data(as_text=True)


def test_a_coordinator_adds_an_agency_with_its_sector_and_sees_it_listed(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    response = client.post("/agencies/new", data={"name": "  Northbrook   Probation ", "sector": "probation"})
    agency = db.session.scalar(select(Agency).where(Agency.name == "Northbrook Probation"))
    assert response.status_code == 302 and agency.sector == "probation" and agency.active
    page = client.get("/agencies/").get_data(as_text=True)
    assert "Northbrook Probation" in page and "Probation" in page
    assert _events("agency_created")[0]["name"] == "Northbrook Probation"


def test_an_agency_needs_a_name_and_a_sector_and_a_name_can_be_used_once_whatever_its_case(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    empty = client.post("/agencies/new", data={"name": "", "sector": ""}).get_data(as_text=True)
    assert "Enter the agency&#39;s name" in empty and "Select the agency&#39;s sector" in empty
    assert "<title>Error:" in empty
    taken = client.post("/agencies/new", data={"name": "TEST POLICE", "sector": "police"}).get_data(as_text=True)
    assert "There is already an agency called TEST POLICE" in taken
    assert db.session.scalar(select(func.count(Agency.id))) == 1


def test_an_inactive_agency_keeps_its_staff_and_their_history_and_takes_no_new_accounts(client, people):
    pat = people.user("pat@example.org")
    _history(pat)
    police = people.agency()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership"))
    response = client.post(f"/agencies/{police.id}/edit", data={"name": "Test Police", "sector": "police", "active": "no"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Agency, police.id).active is False
    assert db.session.get(User, pat.id) is not None
    assert db.session.scalar(select(func.count(Completion.id)).where(Completion.user_id == pat.id)) == 1
    assert "Inactive" in client.get("/agencies/").get_data(as_text=True)
    assert "This agency is inactive" in client.get(f"/agencies/{police.id}").get_data(as_text=True)
    new_account = client.get("/people/new").get_data(as_text=True)
    assert f'value="{police.id}"' not in new_account
    assert _events("agency_updated")[0]["changes"]["active"] == {"old": True, "new": False}


def test_a_coordinator_adds_and_renames_teams_and_an_agency_cannot_have_the_same_team_twice(client, people):
    police = people.agency()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert client.post(f"/agencies/{police.id}/teams/new", data={"name": "Response"}).status_code == 302
    twice = client.post(f"/agencies/{police.id}/teams/new", data={"name": "response"}).get_data(as_text=True)
    assert "Test Police already has a team called response" in twice
    team = db.session.scalar(select(Team).where(Team.agency_id == police.id))
    assert client.post(f"/agencies/{police.id}/teams/{team.id}/edit", data={"name": "Response and Patrol"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Team, team.id).name == "Response and Patrol"
    assert "Response and Patrol" in client.get(f"/agencies/{police.id}").get_data(as_text=True)
    assert [e["new"] for e in _events("team_updated")] == ["Response and Patrol"]


def test_an_agency_with_no_teams_says_so(client, people):
    police = people.agency()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert "Test Police has no teams yet" in client.get(f"/agencies/{police.id}").get_data(as_text=True)


def test_a_team_is_only_found_under_its_own_agency(client, people):
    police, health = people.agency(), people.agency("Test Health", Sector.HEALTH)
    team = _team(police, "Response")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert client.get(f"/agencies/{health.id}/teams/{team.id}/edit").status_code == 404
    assert client.get("/agencies/9999").status_code == 404


def test_an_agency_lead_cannot_use_the_agency_pages(client, people):
    police = people.agency()
    team = _team(police, "Response")
    sign_in(client, people.user("lee@example.org", role=Role.AGENCY_LEAD))
    for url in ("/agencies/", "/agencies/new", f"/agencies/{police.id}", f"/agencies/{police.id}/edit",
                f"/agencies/{police.id}/teams/new", f"/agencies/{police.id}/teams/{team.id}/edit"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/agencies/{police.id}/edit", data={"name": "Mine", "sector": "police", "active": "yes"}).status_code == 403


# --- who may see which page ---------------------------------------------------------------


def test_a_practitioner_gets_403_on_every_people_agency_and_import_page(client, people):
    pat = people.user("pat@example.org")
    other = people.user("sam@example.org")
    police = people.agency()
    sign_in(client, pat)
    for url in ("/people/", "/people/new", f"/people/{other.id}", f"/people/{pat.id}", f"/people/{other.id}/edit",
                f"/people/{other.id}/role", f"/people/{other.id}/deactivate", "/agencies/", f"/agencies/{police.id}",
                "/import-staff", "/import-staff/template.csv", "/import-staff/" + "a" * 43):
        assert client.get(url).status_code == 403, url
    for url in (f"/people/{other.id}/edit", f"/people/{other.id}/role", f"/people/{other.id}/deactivate",
                f"/people/{other.id}/reactivate", "/agencies/new", "/import-staff", "/import-staff/" + "a" * 43):
        assert client.post(url, data={"name": "X", "role": "admin", "job_title": "Boss"}).status_code == 403, url
    assert _fresh(other).active and _fresh(other).role == "practitioner" and _fresh(pat).role == "practitioner"


def test_an_agency_lead_gets_404_for_another_agencys_person_on_every_page(client, people):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD)
    outsider = people.user("nina@example.org", agency="Test Health")
    sign_in(client, lead)
    base = f"/people/{outsider.id}"
    for url in (base, base + "/edit", base + "/deactivate"):
        assert client.get(url).status_code == 404, url
    for url in (base + "/edit", base + "/deactivate", base + "/reactivate"):
        assert client.post(url, data={"job_title": "Changed", "team": "0", "role": "admin"}).status_code == 404, url
    # Roles are for admins only: refused whoever the person is, so it says nothing of them either.
    assert client.get(base + "/role").status_code == 403
    assert client.post(base + "/role", data={"role": "admin"}).status_code == 403
    outsider = _fresh(outsider)
    assert outsider.active and outsider.job_title is None and outsider.role == "practitioner"
    listing = client.get("/people/?status=all").get_data(as_text=True)
    assert "nina@example.org" not in listing


def test_an_agency_lead_sees_only_their_own_agency_as_my_staff(client, people):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD)
    people.user("pat@example.org")
    people.user("nina@example.org", agency="Test Health")
    sign_in(client, lead)
    page = client.get("/people/?agency=" + str(people.agency("Test Health").id)).get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">My staff</h1>" in page
    assert "pat@example.org" in page and "nina@example.org" not in page


def test_the_people_list_filters_by_agency_name_and_status(client, people):
    people.user("pat@example.org", name="Pat Fielding")
    nina = people.user("nina@example.org", name="Nina Novak", agency="Test Health")
    gone = people.user("gone@example.org", name="Gone Person")
    gone.active = False
    db.session.commit()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership"))
    health = client.get(f"/people/?agency={nina.agency_id}").get_data(as_text=True)
    assert "nina@example.org" in health and "pat@example.org" not in health
    search = client.get("/people/?q=FIELD").get_data(as_text=True)
    assert "pat@example.org" in search and "nina@example.org" not in search
    assert "gone@example.org" not in client.get("/people/").get_data(as_text=True)
    deactivated = client.get("/people/?status=deactivated").get_data(as_text=True)
    assert "gone@example.org" in deactivated and "pat@example.org" not in deactivated
    assert "Nobody matches these filters" in client.get("/people/?q=zzzz").get_data(as_text=True)


def test_an_agency_lead_cannot_manage_a_coordinator_of_their_own_agency(client, people):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD)
    coordinator = people.user("cora@example.org", role=Role.COORDINATOR)
    sign_in(client, lead)
    assert client.get(f"/people/{coordinator.id}").status_code == 200
    assert client.get(f"/people/{coordinator.id}/edit").status_code == 403
    assert client.post(f"/people/{coordinator.id}/deactivate").status_code == 403
    assert _fresh(coordinator).active


# --- deactivate and reactivate ------------------------------------------------------------


def test_deactivating_asks_are_you_sure_then_keeps_the_persons_history(client, people):
    pat = people.user("pat@example.org")
    _history(pat)
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    confirm = client.get(f"/people/{pat.id}/deactivate").get_data(as_text=True)
    assert "Are you sure you want to deactivate Pat?" in confirm and 'method="post"' in confirm
    assert _fresh(pat).active, "the confirmation page changes nothing"
    response = client.post(f"/people/{pat.id}/deactivate")
    assert response.status_code == 302
    assert _fresh(pat).active is False
    assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.user_id == pat.id)) == 1
    assert db.session.scalar(select(func.count(Completion.id)).where(Completion.user_id == pat.id)) == 1
    page = client.get(f"/people/{pat.id}").get_data(as_text=True)
    assert "This account is deactivated" in page and "1 e-learning attempt in all" in page
    assert "has no certificates yet" not in page, "the completion is kept, with its certificate"
    assert _events("user_deactivated") == [{"email": "pat@example.org", "user_id": pat.id}]


def test_a_deactivated_person_cannot_sign_in_and_their_open_session_ends(client, app, people):
    pat = people.user("pat@example.org")
    pat_browser = app.test_client()
    sign_in(pat_browser, pat)
    assert pat_browser.get("/my-learning").status_code == 200
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    client.post(f"/people/{pat.id}/deactivate")
    assert pat_browser.get("/my-learning").status_code == 302
    assert "Enter a correct email address and password" in sign_in(pat_browser, pat).get_data(as_text=True)


def test_a_coordinator_reactivates_a_person(client, people):
    pat = people.user("pat@example.org")
    pat.active = False
    db.session.commit()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert "Reactivate account" in client.get(f"/people/{pat.id}").get_data(as_text=True)
    assert client.post(f"/people/{pat.id}/reactivate").status_code == 302
    assert _fresh(pat).active
    assert len(_events("user_reactivated")) == 1
    assert sign_in(client.application.test_client(), pat).status_code == 302


def test_nobody_deactivates_their_own_account(client, people):
    coordinator = people.user("cora@example.org", role=Role.COORDINATOR)
    sign_in(client, coordinator)
    client.post(f"/people/{coordinator.id}/deactivate")
    assert _fresh(coordinator).active


def test_an_agency_lead_deactivates_one_of_their_own_staff(client, people):
    pat = people.user("pat@example.org")
    sign_in(client, people.user("lee@example.org", role=Role.AGENCY_LEAD))
    assert client.post(f"/people/{pat.id}/deactivate").status_code == 302
    assert _fresh(pat).active is False


# --- edit details and roles ---------------------------------------------------------------


def test_a_coordinator_changes_a_persons_name_job_title_and_team(client, people):
    pat = people.user("pat@example.org")
    team = _team(people.agency(), "Response")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    form = client.get(f"/people/{pat.id}/edit").get_data(as_text=True)
    assert 'name="name"' in form and "Response" in form
    response = client.post(f"/people/{pat.id}/edit", data={"name": "Pat Fielding", "job_title": "Sergeant",
                                                          "team": str(team.id)})
    assert response.status_code == 302
    pat = _fresh(pat)
    assert (pat.name, pat.job_title, pat.team_id) == ("Pat Fielding", "Sergeant", team.id)
    changes = _events("user_updated")[0]["changes"]
    assert changes["name"] == {"old": "Pat", "new": "Pat Fielding"} and changes["team_id"]["new"] == team.id


def test_a_team_of_another_agency_is_not_a_valid_choice(client, people):
    pat = people.user("pat@example.org")
    other_team = _team(people.agency("Test Health", Sector.HEALTH), "Ward 4")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    page = client.post(f"/people/{pat.id}/edit", data={"name": "Pat", "team": str(other_team.id)}).get_data(as_text=True)
    assert "Select a team from the list" in page
    assert _fresh(pat).team_id is None


def test_an_agency_lead_changes_their_staffs_team_and_job_title_but_not_their_name(client, people):
    pat = people.user("pat@example.org")
    team = _team(people.agency(), "Response")
    sign_in(client, people.user("lee@example.org", role=Role.AGENCY_LEAD))
    assert 'name="name"' not in client.get(f"/people/{pat.id}/edit").get_data(as_text=True)
    client.post(f"/people/{pat.id}/edit", data={"name": "Renamed", "job_title": "Detective", "team": str(team.id)})
    pat = _fresh(pat)
    assert (pat.name, pat.job_title, pat.team_id) == ("Pat", "Detective", team.id)


def test_only_an_admin_changes_roles_and_each_change_is_audited(client, app, people):
    pat = people.user("pat@example.org")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert client.get(f"/people/{pat.id}/role").status_code == 403
    assert client.post(f"/people/{pat.id}/role", data={"role": "admin"}).status_code == 403
    lead_browser = app.test_client()
    sign_in(lead_browser, people.user("lee@example.org", role=Role.AGENCY_LEAD))
    assert lead_browser.post(f"/people/{pat.id}/role", data={"role": "agency_lead"}).status_code == 403
    assert _fresh(pat).role == "practitioner"
    assert f'href="/people/{pat.id}/role"' not in client.get(f"/people/{pat.id}").get_data(as_text=True)
    admin_browser = app.test_client()
    sign_in(admin_browser, people.user("adi@example.org", role=Role.ADMIN))
    assert f'href="/people/{pat.id}/role"' in admin_browser.get(f"/people/{pat.id}").get_data(as_text=True)
    assert "Agency training lead" in admin_browser.get(f"/people/{pat.id}/role").get_data(as_text=True)
    assert admin_browser.post(f"/people/{pat.id}/role", data={"role": "agency_lead"}).status_code == 302
    assert _fresh(pat).role == "agency_lead"
    assert _events("role_change") == [{"email": "pat@example.org", "new": "agency_lead", "old": "practitioner",
                                       "user_id": pat.id}]
    assert "Select a role from the list" in admin_browser.post(f"/people/{pat.id}/role", data={"role": "emperor"}).get_data(as_text=True)


def test_an_admin_cannot_change_their_own_role(client, people):
    admin = people.user("adi@example.org", role=Role.ADMIN)
    sign_in(client, admin)
    client.post(f"/people/{admin.id}/role", data={"role": "practitioner"})
    assert _fresh(admin).role == "admin" and _events("role_change") == []


# --- pages and navigation -----------------------------------------------------------------


@pytest.mark.parametrize("role, expected, absent", [
    # Coordinators and admins find people, agencies, imports, courses and the audit trail
    # under Manage; a lead imports staff from My staff.
    (Role.COORDINATOR, [">Manage<"], ["My staff", ">People<", "Agencies", "Import staff", "Audit trail"]),
    (Role.ADMIN, [">Manage<"], ["My staff", ">People<", "Agencies", "Import staff", "Audit trail"]),
    (Role.AGENCY_LEAD, ["My staff"], ["Agencies", ">People<", ">Manage<", "Import staff"]),
    (Role.PRACTITIONER, ["My learning"], ["Agencies", "My staff", "Import staff"]),
])
def test_the_navigation_shows_each_role_its_pages(client, people, role, expected, absent):
    sign_in(client, people.user("someone@example.org", role=role))
    nav = client.get("/my-learning").get_data(as_text=True).split("govuk-service-navigation", 1)[1].split("</nav>", 1)[0]
    for text in expected:
        assert text in nav, text
    for text in absent:
        assert text not in nav, text


def _navigation(page) -> str:
    return page.get_data(as_text=True).split("govuk-service-navigation", 1)[1].split("</nav>", 1)[0]


def test_the_layout_and_navigation_follow_each_person_and_where_the_app_is_mounted(app, people):
    # The addresses are worked out once per role and mount point: one app, several of each.
    lead, pat = people.user("lee@example.org", role=Role.AGENCY_LEAD), people.user("pat@example.org")
    for mount in ("", "/learning"):
        for person, shown, hidden in ((lead, "My staff", "Sign in"), (pat, "My learning", "My staff")):
            client = app.test_client()
            sign_in(client, person)
            page = client.get("/my-learning", environ_overrides={"SCRIPT_NAME": mount})
            nav = _navigation(page)
            assert shown in nav and hidden not in nav
            assert f'href="{mount}/my-learning"' in nav and f'action="{mount}/sign-out"' in nav
            html = page.get_data(as_text=True)
            assert f'href="{mount}/static/dist/app.css"' in html and f'href="{mount}/" class="govuk-generic' in html


def test_a_person_who_has_not_set_a_password_has_an_invitation_link_on_their_page(client, people):
    police = people.agency()
    invited = User(email="new@example.org", name="New Person", agency_id=police.id)
    db.session.add(invited)
    db.session.commit()
    sign_in(client, people.user("lee@example.org", role=Role.AGENCY_LEAD))
    page = client.get(f"/people/{invited.id}").get_data(as_text=True)
    assert "Send the invitation again" in page and "/set-password/" in page
    assert "/set-password/" not in client.get(f"/people/{people.user('pat@example.org').id}").get_data(as_text=True)


@pytest.mark.parametrize("role, shown", [
    (Role.COORDINATOR, [">People<", "Manage courses", "Agencies and teams", "Import staff"]),
    (Role.ADMIN, [">People<", "Manage courses", "Agencies and teams", "Import staff", "Audit trail"]),
])
def test_the_manage_page_lists_the_pages_grouped_under_it(client, people, role, shown):
    sign_in(client, people.user("someone@example.org", role=role))
    page = client.get("/manage").get_data(as_text=True)
    main = page.split('id="main-content"', 1)[1]
    assert [text for text in (">People<", "Manage courses", "Agencies and teams", "Import staff", "Audit trail")
            if text in main] == shown
    # The Manage item is the current one on the pages under it.
    for path in ("/manage", "/people/", "/agencies/", "/courses/manage", "/import-staff"):
        nav = _navigation(client.get(path))
        assert 'aria-current="true"><strong class="govuk-service-navigation__active-fallback">Manage<' in nav, path
