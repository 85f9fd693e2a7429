"""Training done elsewhere: recorded, reviewed in scope, and counted once approved."""
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from learning.extensions import db
from learning.models import AuditEvent, Completion, ExternalRecord, Role
from tests.conftest import module_row, sign_in

SLUG = "trauma-and-cse"


def record_for(client, title="Trauma-informed practice day", evidence=None):
    day = date.today() - timedelta(days=20)
    data = {"title": title, "provider": "County Council", "completed_on": [day.day, day.month, day.year],
            "evidence_note": "Certificate from the council"}
    if evidence:
        data["evidence"] = evidence
    return client.post("/external/new", data=data, content_type="multipart/form-data")


def test_a_practitioner_records_training_with_evidence(client, people, app):
    sign_in(client, people.user())
    response = record_for(client, evidence=(io.BytesIO(b"%PDF-1.4 evidence"), "certificate.pdf"))
    assert response.status_code == 302
    record = db.session.scalar(select(ExternalRecord))
    assert record.status == "pending" and record.evidence_filename == "certificate.pdf"
    assert record.evidence_file != "certificate.pdf", "stored under a random name"
    download = client.get(f"/external/{record.id}/evidence")
    assert download.data == b"%PDF-1.4 evidence" and download.mimetype == "application/octet-stream"


def test_a_future_date_and_a_wrong_file_type_are_refused(client, people):
    sign_in(client, people.user())
    day = date.today() + timedelta(days=3)
    page = client.post("/external/new", data={"title": "X", "provider": "Y", "completed_on": [day.day, day.month, day.year]})
    assert "must be today or in the past" in page.get_data(as_text=True)
    page = record_for(client, evidence=(io.BytesIO(b"MZ..."), "tool.exe"))
    assert "must be a PDF, PNG, JPG or Word document" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ExternalRecord.id))) == 0


def test_the_agency_lead_approves_and_it_counts_as_a_completion(app, client, people):
    pat = people.user("pat@example.org", agency="Police A")
    practitioner = app.test_client()
    sign_in(practitioner, pat)
    record_for(practitioner)
    record = db.session.scalar(select(ExternalRecord))
    sign_in(client, people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A"))
    assert "Trauma-informed practice day" in client.get("/external/review").get_data(as_text=True)
    client.post(f"/external/{record.id}/review", data={"decision": "approve", "modules": [module_row(SLUG).id]})
    completion = db.session.scalar(select(Completion))
    assert completion.user_id == pat.id and completion.source == "external" and completion.module_id == module_row(SLUG).id
    assert completion.completed_at.date() == record.completed_on
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "external_approve"))
    again = client.post(f"/external/{record.id}/review", data={"decision": "approve", "modules": [module_row(SLUG).id]})
    assert again.status_code in (200, 302)
    assert db.session.scalar(select(func.count(Completion.id))) == 1


def test_approving_needs_at_least_one_module(app, client, people):
    practitioner = app.test_client()
    sign_in(practitioner, people.user("pat@example.org"))
    record_for(practitioner)
    record = db.session.scalar(select(ExternalRecord))
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    page = client.post(f"/external/{record.id}/review", data={"decision": "approve"})
    assert "Select at least one module" in page.get_data(as_text=True)
    assert db.session.get(ExternalRecord, record.id).status == "pending"


def test_a_lead_cannot_review_another_agencys_record(app, client, people):
    practitioner = app.test_client()
    sign_in(practitioner, people.user("theirs@example.org", agency="Police B"))
    record_for(practitioner)
    record = db.session.scalar(select(ExternalRecord))
    sign_in(client, people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A"))
    assert "nothing waiting" in client.get("/external/review").get_data(as_text=True)
    response = client.post(f"/external/{record.id}/review", data={"decision": "approve", "modules": [module_row(SLUG).id]})
    assert response.status_code == 404
    assert client.get(f"/external/{record.id}/evidence").status_code == 404
    assert db.session.scalar(select(func.count(Completion.id))) == 0


def test_a_practitioner_cannot_review_or_see_others_evidence(app, client, people):
    owner = app.test_client()
    sign_in(owner, people.user("pat@example.org"))
    record_for(owner, evidence=(io.BytesIO(b"%PDF"), "c.pdf"))
    record = db.session.scalar(select(ExternalRecord))
    sign_in(client, people.user("sam@example.org"))
    assert client.get("/external/review").status_code == 403
    assert client.post(f"/external/{record.id}/review", data={"decision": "approve"}).status_code == 403
    assert client.get(f"/external/{record.id}/evidence").status_code == 404


def test_a_rejection_is_shown_with_its_note(app, client, people):
    owner = app.test_client()
    sign_in(owner, people.user("pat@example.org"))
    record_for(owner)
    record = db.session.scalar(select(ExternalRecord))
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    client.post(f"/external/{record.id}/review", data={"decision": "reject", "note": "Please add the certificate"})
    page = owner.get("/external/").get_data(as_text=True)
    assert "Rejected" in page and "Please add the certificate" in page
