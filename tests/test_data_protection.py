"""Erasing a leaver and exporting one person's data."""
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from learning.extensions import db
from learning.models import AuditEvent, Completion, Role, User, utcnow
from tests.conftest import sign_in
from tests.journey import answer_all, start

SLUG = "police-protection"


def test_an_admin_erases_a_leaver_and_their_completions_stay_as_counts(app, client, people, records):
    pat = people.user("pat@example.org", name="Pat Leaver")
    records.completion(pat, SLUG, completed_at=utcnow() - timedelta(days=30))
    before = db.session.scalar(select(func.count(Completion.id)))
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    confirm = client.get(f"/people/{pat.id}/erase").get_data(as_text=True)
    assert "Are you sure you want to erase Pat Leaver?" in confirm
    assert client.post(f"/people/{pat.id}/erase").status_code == 302
    db.session.expire_all()
    erased = db.session.get(User, pat.id)
    assert erased.name == f"Erased person {pat.id}" and erased.email != "pat@example.org"
    assert erased.password_hash is None and not erased.active and erased.erased_at
    assert db.session.scalar(select(func.count(Completion.id))) == before
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "erase")).actor_email == "adi@example.org"
    assert sign_in(app.test_client(), "pat@example.org").status_code == 200, "the old email no longer signs in"


def test_only_admins_can_erase_or_export_personal_data(client, people):
    pat = people.user("pat@example.org")
    for role in (Role.PRACTITIONER, Role.AGENCY_LEAD, Role.COORDINATOR):
        client.post("/sign-out")
        sign_in(client, people.user(f"{role.value}@example.org", role=role))
        assert client.post(f"/people/{pat.id}/erase").status_code == 403, role
        assert client.get(f"/people/{pat.id}/data.xlsx").status_code == 403, role
    assert db.session.get(User, pat.id).erased_at is None


def test_the_subject_access_workbook_holds_the_persons_records(app, client, people):
    pat = people.user("pat@example.org", name="Pat Fielding")
    browser = app.test_client()
    sign_in(browser, pat)
    answer_all(browser, start(browser, SLUG))
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    response = client.get(f"/people/{pat.id}/data.xlsx")
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["Account", "Completions", "Answers", "Bookings", "Course emails", "External learning",
                            "Confidence ratings", "Follow-ups", "Course evaluations", "Activity"]
    assert wb["Account"]["B3"].value == "Pat Fielding" and wb["Account"]["B4"].value == "pat@example.org"
    assert len(list(wb["Answers"].iter_rows(min_row=2))) == 8
    assert wb["Completions"]["A2"].value == "Police protection"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "export_subject_access"))


def test_an_admin_sees_the_personal_data_links_on_a_persons_page(client, people):
    pat = people.user("pat@example.org", name="Pat Fielding")
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    page = client.get(f"/people/{pat.id}").get_data(as_text=True)
    assert f"/people/{pat.id}/data.xlsx" in page and f"/people/{pat.id}/erase" in page
    client.post("/sign-out")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    assert f"/people/{pat.id}/erase" not in client.get(f"/people/{pat.id}").get_data(as_text=True)
