import pytest
from sqlalchemy import func, select

from learning.extensions import db
from learning.models import Agency, Completion, User
from tests.conftest import PASSWORD, sign_in


def test_sign_in_ignores_the_case_of_the_email(client, people):
    people.user("Pat.Fielding@example.org")
    response = sign_in(client, "PAT.FIELDING@EXAMPLE.ORG")
    assert response.status_code == 302 and response.location == "/"


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client, people):
    people.user()
    wrong_password = client.post("/sign-in", data={"email": "pat@example.org", "password": "not the password"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.org", "password": PASSWORD})
    for response in (wrong_password, unknown):
        page = response.get_data(as_text=True)
        assert "Enter a correct email address and password" in page
        assert "<title>Error: Sign in" in page


def test_a_deactivated_account_cannot_sign_in(client, people):
    pat = people.user()
    pat.active = False
    db.session.commit()
    assert "Enter a correct email address and password" in sign_in(client, pat).get_data(as_text=True)


def test_passwords_are_stored_hashed(people):
    pat = people.user()
    assert PASSWORD not in pat.password_hash and pat.check_password(PASSWORD)


def test_sign_in_follows_a_local_next_but_not_another_site(client, people):
    pat = people.user()
    local = client.post("/sign-in?next=/modules/police-protection", data={"email": pat.email, "password": PASSWORD})
    assert local.location == "/modules/police-protection"
    client.post("/sign-out")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/sign-in?next={evil}", data={"email": pat.email, "password": PASSWORD})
        assert response.location == "/", evil
        client.post("/sign-out")


def test_sign_out_ends_the_session(client, people):
    sign_in(client, people.user())
    assert client.get("/my-learning").status_code == 200
    assert client.post("/sign-out").status_code == 302
    assert client.get("/my-learning").status_code == 302


def test_sign_out_is_not_possible_with_a_get(client, people):
    sign_in(client, people.user())
    assert client.get("/sign-out").status_code == 405


def test_create_user_command_creates_an_account(runner, people):
    people.agency("Northbrook Police")
    result = runner.invoke(args=["create-user", "--email", "New.Person@Example.org", "--name", "New Person",
                                 "--agency", "northbrook police", "--role", "agency_lead", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.role == "agency_lead" and user.check_password(PASSWORD)


def test_create_user_command_refuses_an_unknown_agency_and_a_short_password(runner, people):
    people.agency("Northbrook Police")
    unknown = runner.invoke(args=["create-user", "--email", "a@example.org", "--name", "A", "--agency", "Nowhere",
                                  "--password", PASSWORD])
    assert unknown.exit_code != 0 and "No agency called 'Nowhere'" in unknown.output
    short = runner.invoke(args=["create-user", "--email", "a@example.org", "--name", "A", "--agency",
                                "Northbrook Police", "--password", "short"])
    assert short.exit_code != 0 and "12 characters" in short.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_coordinator_creates_an_account_and_a_practitioner_cannot(client, people):
    coordinator = people.user("cora@example.org", role="coordinator")
    police = people.agency()
    sign_in(client, coordinator)
    response = client.post("/people/new", data={"name": "Sam Reid", "email": "sam@example.org", "agency": police.id,
                                                "role": "practitioner", "password": PASSWORD})
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "sam@example.org")).agency_id == police.id
    refused = client.post("/people/new", data={"name": "Boss", "email": "boss@example.org", "agency": police.id,
                                               "role": "admin", "password": PASSWORD})
    assert "Select a role from the list" in refused.get_data(as_text=True), "a coordinator cannot create an admin"
    client.post("/sign-out")
    sign_in(client, people.user("pat@example.org"))
    assert client.get("/people/new").status_code == 403


def test_seed_demo_is_idempotent(runner, ctx):
    first = runner.invoke(args=["seed-demo", "--password", PASSWORD])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count()).select_from(t)) for t in (User, Agency, Completion)]
    second = runner.invoke(args=["seed-demo", "--password", PASSWORD])
    assert second.exit_code == 0
    assert [db.session.scalar(select(func.count()).select_from(t)) for t in (User, Agency, Completion)] == counts
    emails = set(db.session.scalars(select(User.email)))
    assert {"practitioner@example.org", "lead@example.org", "coordinator@example.org", "admin@example.org"} <= emails
    lead = db.session.scalar(select(User).where(User.email == "lead@example.org"))
    assert lead.role == "agency_lead" and lead.agency.sector == "police"
    assert counts[2] > 0


def test_the_new_account_form_makes_the_coordinator_choose_an_agency(client, people):
    people.agency()
    sign_in(client, people.user("cora@example.org", role="coordinator"))
    page = client.get("/people/new").get_data(as_text=True)
    assert '<option value="0" selected>Select an agency</option>' in page
    response = client.post("/people/new", data={"name": "Sam Reid", "email": "sam@example.org", "agency": "0",
                                                "role": "practitioner", "password": PASSWORD})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Select an agency" in body and 'href="#agency"' in body
    assert 'value="Sam Reid"' in body, "what was typed is kept"
    assert db.session.scalar(select(User).where(User.email == "sam@example.org")) is None


def test_a_role_taken_away_applies_from_the_persons_next_request(client, people):
    cora = people.user("cora@example.org", role="coordinator")
    sign_in(client, cora)
    assert client.get("/agencies/").status_code == 200
    cora.role = "practitioner"
    db.session.commit()
    assert client.get("/agencies/").status_code == 403, "the signed-in person is read afresh on every request"


def test_only_server_databases_check_each_connection_as_it_leaves_the_pool(tmp_path):
    from flask import Flask

    from learning import config

    def engine_options(url):
        app = Flask(__name__, instance_path=str(tmp_path))
        config.load(app, testing=True, overrides={"SQLALCHEMY_DATABASE_URI": url})
        return app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})

    assert "pool_pre_ping" not in engine_options("sqlite:///file.db")
    assert engine_options("postgresql+psycopg://db.example/learning") == {"pool_pre_ping": True}


def test_postgresql_statements_start_no_parallel_workers(app, ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a setting of PostgreSQL connections")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
