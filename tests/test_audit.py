"""The audit trail: what is recorded, the admin search page, and that nothing edits it."""
import html
import json
import re
from datetime import datetime

import pytest
from sqlalchemy import delete, select, update

from learning import audit
from learning.extensions import db
from learning.models import AuditEvent, Role
from tests.conftest import PASSWORD, sign_in


def _rules(app):
    """Every route but Flask's static files, with the access rule its view declares."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            yield rule, getattr(app.view_functions[rule.endpoint], "access_rule", None)


def _url(rule) -> str:
    """The route's address with 1 for ids and numbers and "x" for any other part."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) or "number" in m.group(1) else "x", rule.rule)


def events(action=None):
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


def test_sign_ins_and_sign_outs_are_recorded_with_who_and_where(client, people):
    pat = people.user()
    client.post("/sign-in", data={"email": pat.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    client.post("/sign-out", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    signed_in, signed_out = events(audit.SIGN_IN), events(audit.SIGN_OUT)
    assert [(e.actor_id, e.actor_email, e.ip) for e in signed_in] == [(pat.id, pat.email, "10.1.2.3")]
    assert [(e.actor_id, json.loads(e.detail)["reason"]) for e in signed_out] == [(pat.id, "signed out")]


def test_failed_sign_ins_record_the_email_tried_and_why(client, people):
    pat = people.user()
    people.user("gone@example.org").active = False
    db.session.commit()
    for email, password in ((" PAT@example.org", "wrong password"), ("nobody@example.org", PASSWORD),
                            ("gone@example.org", PASSWORD)):
        client.post("/sign-in", data={"email": email, "password": password})
    failed = [json.loads(e.detail) for e in events(audit.SIGN_IN_FAILED)]
    assert failed == [{"email": pat.email, "reason": "wrong password"},
                      {"email": "nobody@example.org", "reason": "unknown email"},
                      {"email": "gone@example.org", "reason": "account deactivated"}]
    assert all(e.actor_id is None for e in events(audit.SIGN_IN_FAILED))


def test_account_creation_is_recorded_from_the_people_page_and_the_cli(client, runner, people):
    cora = people.user("cora@example.org", role=Role.COORDINATOR)
    police = people.agency()
    sign_in(client, cora)
    client.post("/people/new", data={"name": "Sam Reid", "email": "sam@example.org", "agency": police.id,
                                     "role": "practitioner", "password": PASSWORD})
    runner.invoke(args=["create-user", "--email", "kim@example.org", "--name", "Kim", "--agency", police.name,
                        "--password", PASSWORD])
    created = events(audit.ACCOUNT_CREATED)
    assert [(e.actor_email, json.loads(e.detail)["email"]) for e in created] == [
        ("cora@example.org", "sam@example.org"), (None, "kim@example.org")]
    assert json.loads(created[0].detail)["role"] == "practitioner"


def test_only_admins_see_the_audit_trail(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert client.get("/audit/").status_code == 403
    client.post("/sign-out")
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    page = client.get("/audit/")
    assert page.status_code == 200 and "Audit trail" in page.get_data(as_text=True)


def _add(action, at, actor_email=None, detail=""):
    db.session.add(AuditEvent(action=action, at=at, actor_email=actor_email, detail=detail))


def _shown(page: str) -> list[str]:
    """The action and detail cells of each row shown, in order."""
    body = page.split('<tbody class="govuk-table__body">', 1)[1] if "govuk-table__body" in page else ""
    return [html.unescape(re.sub(r"\s+", " ", row)) for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)]


@pytest.fixture
def admin_client(client, people):
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    return client


def test_search_by_action_person_and_dates_newest_first(admin_client):
    _add("staff_import", datetime(2026, 3, 1, 9), "lee@example.org", '{"file": "march"}')
    _add("sign_in_failed", datetime(2026, 3, 2, 9), None, '{"email": "pat@example.org"}')
    _add("staff_import", datetime(2026, 3, 3, 23, 59), "cora@example.org", '{"file": "april"}')
    _add("staff_import", datetime(2026, 3, 4, 0, 0), "lee@example.org", '{"file": "may"}')
    db.session.commit()

    def search(**args):
        return _shown(admin_client.get("/audit/", query_string=args).get_data(as_text=True))

    by_action = search(action="staff_import")
    assert [("may" in r, "april" in r, "march" in r) for r in by_action] == [
        (True, False, False), (False, True, False), (False, False, True)], "newest first"
    assert len(search(person="LEE@")) == 2
    about_pat = search(person="pat@example.org")
    assert len(about_pat) == 1 and "Someone failed to sign in as pat@example.org" in about_pat[0]
    march_2_to_3 = search(start=["2", "3", "2026"], end=["3", "3", "2026"])
    assert len(march_2_to_3) == 2 and "april" in march_2_to_3[0], "the end date is included, whole day"
    assert len(search(action="staff_import", person="lee", start=["4", "3", "2026"])) == 1


def test_search_form_errors_are_shown_not_raised(admin_client):
    page = admin_client.get("/audit/", query_string={"start": ["31", "2", "2026"]}).get_data(as_text=True)
    assert "The &#39;From&#39; date must be a real date" in page
    page = admin_client.get("/audit/", query_string={"start": ["3", "3", "2026"], "end": ["1", "3", "2026"]})
    assert "must be the same as or after" in page.get_data(as_text=True)


def test_results_are_paginated_and_keep_the_search(admin_client):
    for i in range(60):
        _add("staff_import", datetime(2026, 1, 1, 0, i), "lee@example.org", f'{{"file": "n{i}"}}')
    db.session.commit()
    first = admin_client.get("/audit/", query_string={"action": "staff_import"}).get_data(as_text=True)
    rows = _shown(first)
    assert len(rows) == 50 and "(n59)" in rows[0]
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "action=staff_import" in next_link and "page=2" in next_link
    second = _shown(admin_client.get(next_link).get_data(as_text=True))
    assert len(second) == 10 and "(n0)" in second[-1]


def test_what_people_typed_is_shown_escaped(admin_client):
    admin_client.post("/sign-out")
    admin_client.post("/sign-in", data={"email": "<script>alert(1)</script>@x.org", "password": "wrong"})
    sign_in(admin_client, "adi@example.org")
    page = admin_client.get("/audit/", query_string={"action": "sign_in_failed"}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_no_route_changes_or_deletes_audit_rows(app, admin_client, people):
    """Every route, every method, as an admin: the rows there before are there after, unchanged."""
    _add("export", datetime(2026, 1, 1), "lee@example.org", '{"file": "x"}')
    db.session.commit()
    before = {e.id: (e.at, e.actor_id, e.actor_email, e.action, e.detail, e.ip) for e in events()}
    calls = 0
    for rule, _access in _rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"id": "1", "action": "deleted", "detail": "changed"} if method != "GET" else None
            admin_client.open(_url(rule), method=method, data=data)
            calls += 1
            sign_in(admin_client, "adi@example.org")  # in case that was sign-out
    after = {e.id: (e.at, e.actor_id, e.actor_email, e.action, e.detail, e.ip) for e in events()}
    assert calls > 15
    assert {k: after.get(k) for k in before} == before


def test_audit_routes_are_read_only(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)


def test_the_orm_refuses_to_change_or_delete_audit_rows(ctx):
    event = audit.record("export", {"file": "x"})
    event.detail = "changed"
    with pytest.raises(audit.AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(audit.AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    for statement in (update(AuditEvent).values(detail="changed"), delete(AuditEvent)):
        with pytest.raises(audit.AuditTrailIsAppendOnly):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(AuditEvent, event.id).detail == '{"file": "x"}'
