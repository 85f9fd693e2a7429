"""Scheduled reports: coordinators and agency leads subscribe addresses to the compliance
workbook for their scope; `send-scheduled-reports` builds and emails the due ones (read back
from the outbox with the email package, the attachment opened with openpyxl); unsubscribing
from the service or from the email's link; a subscription whose owner lost access stops."""
import io
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from learning.compliance.scheduled import following, send_due, subscribe
from learning.extensions import db
from learning.models import AuditEvent, ReportSubscription, Role, utcnow
from tests.conftest import sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_names(message) -> list[str]:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == XLSX
    assert attachment.get_filename().startswith("compliance-") and attachment.get_filename().endswith(".xlsx")
    wb = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    return [row[0] for row in wb["Staff matrix"].iter_rows(min_row=2, values_only=True) if row and row[0]]


def subscriptions() -> list[ReportSubscription]:
    return list(db.session.scalars(select(ReportSubscription).order_by(ReportSubscription.id)))


def test_a_coordinator_subscribes_addresses_to_the_partnership_workbook(client, people):
    cora = people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership")
    people.agency("Police A")
    sign_in(client, cora)
    assert "Scheduled reports" in client.get("/dashboard/").get_data(as_text=True)
    page = client.get("/dashboard/scheduled-reports/new").get_data(as_text=True)
    assert "Every agency (the partnership)" in page and "Police A" in page
    wrong = client.post("/dashboard/scheduled-reports/new",
                        data={"agency": "0", "frequency": "weekly", "recipients": "board@example.org, not-an-address"})
    assert wrong.status_code == 200
    assert "Enter each email address in the correct format, like name@example.org: &#39;not-an-address&#39; is not" \
        in wrong.get_data(as_text=True)
    empty = client.post("/dashboard/scheduled-reports/new", data={"agency": "0"}).get_data(as_text=True)
    assert "Select how often the workbook is sent" in empty and "Enter at least one email address" in empty
    assert subscriptions() == []
    done = client.post("/dashboard/scheduled-reports/new",
                       data={"agency": "0", "frequency": "monthly", "recipients": "Board@Example.org\nchair@example.org"})
    assert done.status_code == 302 and done.location.endswith("/dashboard/scheduled-reports")
    (sub,) = subscriptions()
    assert (sub.agency_id, sub.frequency, sub.addresses) == (None, "monthly", ["board@example.org", "chair@example.org"])
    listing = client.get("/dashboard/scheduled-reports").get_data(as_text=True)
    assert "Every month" in listing and "board@example.org, chair@example.org" in listing
    event = AuditEvent.query.filter_by(action="report_subscribed").one()
    assert event.actor_email == "cora@example.org" and "chair@example.org" in event.detail


def test_an_agency_lead_subscribes_to_their_own_agency_only(client, people):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    other = people.agency("Health B")
    sign_in(client, lead)
    page = client.get("/dashboard/scheduled-reports/new").get_data(as_text=True)
    assert "The workbook holds the figures for Police A." in page and "Health B" not in page
    client.post("/dashboard/scheduled-reports/new",
                data={"agency": str(other.id), "frequency": "weekly", "recipients": "lee@example.org"})
    client.post("/dashboard/scheduled-reports/new", data={"frequency": "weekly", "recipients": "lee@example.org"})
    assert [s.agency_id for s in subscriptions()] == [lead.agency_id]


def test_due_reports_are_emailed_with_the_workbook_for_their_scope_and_not_sent_twice(runner, people, mailbox):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A", name="Lee Lead")
    people.user("mina@example.org", agency="Police A", name="Mina Mine")
    people.user("theo@example.org", agency="Health B", name="Theo Theirs")
    cora = people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership")
    subscribe(lead, lead.agency_id, "weekly", ["board@example.org", "chair@example.org"])
    subscribe(cora, None, "monthly", ["partnership@example.org"])
    result = runner.invoke(args=["send-scheduled-reports"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 scheduled reports in 3 emails" in result.output
    (board,) = mailbox.messages("board@example.org")
    assert board["Subject"] == f"Compliance workbook for Police A: {utcnow():%-d %b %Y}"
    assert "sent every week at the request of Lee Lead" in mailbox.text(board)
    names = staff_names(board)
    assert "Mina Mine" in names and "Theo Theirs" not in names
    everyone = staff_names(mailbox.messages("partnership@example.org")[0])
    assert "Mina Mine" in everyone and "Theo Theirs" in everyone
    (stop,) = mailbox.links("chair@example.org", "/dashboard/scheduled-reports/stop/")
    assert mailbox.messages("chair@example.org")[0]["List-Unsubscribe"].endswith(stop + ">")
    weekly, monthly = subscriptions()
    assert weekly.next_due == utcnow().date() + timedelta(days=7) and weekly.last_sent_at is not None
    assert monthly.next_due > utcnow().date() + timedelta(days=27)
    assert AuditEvent.query.filter_by(action="scheduled_report_sent").count() == 2
    again = runner.invoke(args=["send-scheduled-reports"])
    assert "Sent 0 scheduled reports" in again.output and len(mailbox.messages()) == 3


def test_reports_go_without_a_server_name_as_in_production(app, people, mailbox, monkeypatch):
    """Production sets no SERVER_NAME (the tests do), and the command and the worker have no
    request: the links come from BASE_URL."""
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    subscribe(lead, lead.agency_id, "weekly", ["board@example.org"])
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "BASE_URL", "https://learning.example.org")
    with app.app_context():  # a context of its own, as the command's, made without a SERVER_NAME
        assert send_due().emails == 1
    (board,) = mailbox.messages("board@example.org")
    assert "https://learning.example.org/dashboard/scheduled-reports/stop/" in mailbox.text(board)


def test_a_workbook_over_the_limit_is_sent_as_a_link_to_sign_in_and_download(app, people, mailbox, monkeypatch):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    subscribe(lead, lead.agency_id, "weekly", ["board@example.org"])
    monkeypatch.setitem(app.config, "SCHEDULED_REPORT_MAX_BYTES", 1000)
    result = send_due()
    assert (result.sent, result.linked) == (1, 1)
    (message,) = mailbox.messages("board@example.org")
    assert list(message.iter_attachments()) == []
    assert "too big to attach" in mailbox.text(message)
    assert mailbox.links("board@example.org", "/dashboard/compliance.xlsx") == [
        f"/dashboard/compliance.xlsx?agency={lead.agency_id}"]


def test_unsubscribing_from_the_service_stops_it(client, people, mailbox):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    sub = subscribe(lead, lead.agency_id, "weekly", ["board@example.org"])
    sign_in(client, lead)
    response = client.post(f"/dashboard/scheduled-reports/{sub.id}/unsubscribe")
    assert response.status_code == 302
    assert "You have no scheduled reports." in client.get("/dashboard/scheduled-reports").get_data(as_text=True)
    assert client.post(f"/dashboard/scheduled-reports/{sub.id}/unsubscribe").status_code == 404
    assert send_due().sent == 0 and mailbox.messages() == []
    assert AuditEvent.query.filter_by(action="report_unsubscribed").count() == 1


def test_the_link_in_the_email_takes_that_address_off_the_list(app, people, mailbox):
    lead = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    sub = subscribe(lead, lead.agency_id, "weekly", ["board@example.org", "chair@example.org"])
    send_due()
    (link,) = mailbox.links("board@example.org", "/dashboard/scheduled-reports/stop/")
    anyone = app.test_client()  # no account needed
    page = anyone.get(link).get_data(as_text=True)
    assert "board@example.org gets the compliance workbook for Police A every week." in page
    done = anyone.post(link)
    assert done.status_code == 200 and "will not get the compliance workbook for Police A again" in done.get_data(as_text=True)
    db.session.refresh(sub)
    assert sub.addresses == ["chair@example.org"] and sub.ended_at is None
    assert anyone.get(link).status_code == 404  # already off the list
    (chair,) = mailbox.links("chair@example.org", "/dashboard/scheduled-reports/stop/")
    anyone.post(chair)
    db.session.refresh(sub)
    assert sub.ended_at is not None and sub.end_reason == "Its last address unsubscribed"
    assert anyone.get(link[:-3] + "abc").status_code == 404  # a tampered link


def test_a_subscription_whose_owner_lost_access_stops(runner, people, mailbox):
    moved = people.user("moved@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    gone = people.user("gone@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    demoted = people.user("demoted@example.org", role=Role.COORDINATOR, agency="Partnership")
    kept = people.user("kept@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    for owner in (moved, gone, demoted, kept):
        subscribe(owner, None if owner is demoted else owner.agency_id, "weekly", [f"to-{owner.email}"])
    moved.agency_id = people.agency("Health B").id
    gone.active = False
    demoted.role = Role.AGENCY_LEAD.value
    db.session.commit()
    result = runner.invoke(args=["send-scheduled-reports"])
    assert "Sent 1 scheduled report in 1 email" in result.output and "Stopped 3" in result.output
    assert [m["To"] for m in mailbox.messages()] == ["to-kept@example.org"]
    stopped = [s for s in subscriptions() if s.ended_at is not None]
    assert len(stopped) == 3 and {s.end_reason for s in stopped} == {"Its owner can no longer see these figures"}


def test_monthly_reports_keep_to_the_calendar():
    assert following(date(2026, 1, 31), "monthly") == date(2026, 2, 28)
    assert following(date(2026, 12, 5), "weekly") == date(2026, 12, 12)
    assert isinstance(datetime.now(), datetime)
