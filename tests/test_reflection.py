"""The end-of-module reflection: "What will you do differently?", saved with the completion,
read by the person, and by their agency lead only when they share it."""
from __future__ import annotations

import io

from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from learning.extensions import db
from learning.models import Completion, Role
from tests.conftest import sign_in
from tests.journey import answer_all, start

SLUG = "police-protection"
WORDS = "I will ask the police who the designated officer is before they leave the ward."
SEEN = str(escape(WORDS))


def passed(app, person) -> tuple[object, int]:
    """The person's own browser, signed in, and the id of an attempt they passed."""
    browser = app.test_client()
    sign_in(browser, person)
    attempt = answer_all(browser, start(browser, SLUG))
    assert attempt.passed
    return browser, attempt.id


def completion_of(attempt_id: int) -> Completion:
    db.session.expire_all()
    return db.session.scalar(select(Completion).where(Completion.attempt_id == attempt_id))


def test_the_result_page_asks_what_you_will_do_differently_and_saves_it_with_the_completion(app, people):
    browser, attempt_id = passed(app, people.user())
    result = browser.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "What will you do differently?" in result
    response = browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS})
    assert response.status_code == 302 and response.location.endswith(f"/attempts/{attempt_id}/result")
    completion = completion_of(attempt_id)
    assert completion.reflection == WORDS and completion.reflection_shared is False
    assert SEEN in browser.get(f"/attempts/{attempt_id}/result").get_data(as_text=True), "kept in the box to change"
    certificate = browser.get(f"/certificates/{completion.id}").get_data(as_text=True)
    assert SEEN in certificate and "Only you can read this." in certificate


def test_a_reflection_that_is_too_long_is_refused_with_a_message_and_not_saved(app, people):
    browser, attempt_id = passed(app, people.user())
    page = browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": "x" * 2001}).get_data(as_text=True)
    assert "Your reflection must be 2000 characters or fewer" in page
    assert completion_of(attempt_id).reflection is None


def test_there_is_no_reflection_without_a_pass(app, people):
    browser = app.test_client()
    sign_in(browser, people.user())
    attempt = answer_all(browser, start(browser, SLUG), wrong=8)
    assert not attempt.passed
    assert "What will you do differently?" not in browser.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    response = browser.post(f"/attempts/{attempt.id}/reflection", data={"reflection": WORDS})
    assert response.status_code == 302
    assert db.session.scalar(select(Completion)) is None


def test_the_agency_lead_reads_a_reflection_only_once_the_person_shares_it(app, client, people):
    pat = people.user("pat@example.org", name="Pat Fielding")
    browser, attempt_id = passed(app, pat)
    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS})
    completion_id = completion_of(attempt_id).id
    sign_in(client, people.user("lead@example.org", role=Role.AGENCY_LEAD))
    assert SEEN not in client.get(f"/people/{pat.id}").get_data(as_text=True)
    assert SEEN not in client.get(f"/certificates/{completion_id}").get_data(as_text=True)

    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS, "shared": "y"})
    assert completion_of(attempt_id).reflection_shared is True
    record = client.get(f"/people/{pat.id}").get_data(as_text=True)
    assert SEEN in record and "Pat Fielding chose to share these reflections with you." in record
    assert SEEN in client.get(f"/certificates/{completion_id}").get_data(as_text=True)

    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS})
    assert SEEN not in client.get(f"/people/{pat.id}").get_data(as_text=True), "unticking takes it back"


def test_a_shared_reflection_is_for_the_persons_own_agency_lead_not_for_coordinators_or_other_agencies(app, people):
    pat = people.user("pat@example.org")
    browser, attempt_id = passed(app, pat)
    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS, "shared": "y"})
    completion_id = completion_of(attempt_id).id
    for email, role, agency in [("co@example.org", Role.COORDINATOR, "Test Police"),
                                ("admin@example.org", Role.ADMIN, "Test Police"),
                                ("other@example.org", Role.AGENCY_LEAD, "Other Agency")]:
        viewer = app.test_client()
        sign_in(viewer, people.user(email, role=role, agency=agency))
        certificate = viewer.get(f"/certificates/{completion_id}")
        assert SEEN not in certificate.get_data(as_text=True), email
        assert SEEN not in viewer.get(f"/people/{pat.id}").get_data(as_text=True), email


def test_a_reflection_is_never_printed_on_the_certificate_nor_shown_by_verification(app, client, people):
    browser, attempt_id = passed(app, people.user())
    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS, "shared": "y"})
    completion = completion_of(attempt_id)
    assert SEEN not in browser.get("/certificates/download").get_data(as_text=True)
    assert SEEN not in client.get(f"/verify/{completion.certificate_code}").get_data(as_text=True)


def test_ticking_share_with_nothing_written_shares_nothing(app, people):
    browser, attempt_id = passed(app, people.user())
    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": "  ", "shared": "y"})
    completion = completion_of(attempt_id)
    assert completion.reflection is None and completion.reflection_shared is False


def test_the_subject_access_workbook_holds_the_reflection(app, client, people):
    pat = people.user("pat@example.org")
    browser, attempt_id = passed(app, pat)
    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS, "shared": "y"})
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    sheet = load_workbook(io.BytesIO(client.get(f"/people/{pat.id}/data.xlsx").data))["Completions"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["What you will do differently"] == WORDS and row["Shared with your agency lead"] == "Yes"


def test_erasing_a_leaver_removes_their_reflection_and_keeps_the_completion(app, client, people):
    pat = people.user("pat@example.org")
    browser, attempt_id = passed(app, pat)
    browser.post(f"/attempts/{attempt_id}/reflection", data={"reflection": WORDS, "shared": "y"})
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    assert client.post(f"/people/{pat.id}/erase").status_code == 302
    completion = completion_of(attempt_id)
    assert completion is not None
    assert completion.reflection is None and completion.reflection_shared is False
