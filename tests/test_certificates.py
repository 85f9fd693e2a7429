"""Certificates: who may open one, what it says, the download of them all, the public
check at /verify, and revoking."""
import base64
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from learning.extensions import db, limiter
from learning.learner.attempts import certificate_code
from learning.models import (
    AuditEvent,
    Booking,
    Completion,
    Course,
    CourseSession,
    Role,
    utcnow,
)
from tests.conftest import module_row, sign_in
from tests.journey import answer_all, start

SLUG = "police-protection"
TITLE = "Police protection"


def long_date(moment) -> str:
    return f"{moment.day} {moment:%B %Y}"


@pytest.fixture
def cast(people, records):
    """Pat (Police A) has a certificate; Olu works alongside; a lead in each agency; a coordinator."""
    pat = people.user("pat@example.org", agency="Police A", name="Pat Practitioner")
    pat.job_title = "Detective constable"
    db.session.commit()
    olu = people.user("olu@example.org", agency="Police A", name="Olu Other")
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A", name="Lee Lead")
    far_lead = people.user("far@example.org", role=Role.AGENCY_LEAD, agency="Police B", name="Fay Far")
    coordinator = people.user("coord@example.org", role=Role.COORDINATOR, agency="Partnership", name="Cora Coord")
    completion = records.completion(pat, SLUG, completed_at=utcnow() - timedelta(days=10))
    return pat, olu, lead, far_lead, coordinator, completion


def page(response) -> str:
    return response.get_data(as_text=True)


# The certificate page ---------------------------------------------------------------


def test_the_certificate_shows_the_partnership_person_learning_dates_version_and_how_to_verify(app, client, cast):
    pat, *_, completion = cast
    sign_in(client, pat)
    response = client.get(f"/certificates/{completion.id}")
    assert response.status_code == 200
    html = page(response)
    assert "Northbrook Safeguarding Children Partnership" in html
    assert "Certificate of completion" in html
    assert "Pat Practitioner" in html
    assert TITLE in html
    assert long_date(completion.completed_at) in html and long_date(completion.expires_at) in html
    assert re.search(rf"Content version\s*</dt>\s*<dd[^>]*>\s*{completion.module_version}\s*</dd>", html)
    assert completion.certificate_code in html
    assert f"http://127.0.0.1:5000/verify/{completion.certificate_code}" in html
    assert "E-learning" in html


def test_the_verification_link_on_a_certificate_uses_the_configured_base_url(app, client, cast, monkeypatch):
    pat, *_, completion = cast
    monkeypatch.setitem(app.config, "BASE_URL", "https://learning.example.org/")
    sign_in(client, pat)
    html = page(client.get(f"/certificates/{completion.id}"))
    assert f"https://learning.example.org/verify/{completion.certificate_code}" in html


def test_when_printed_only_the_certificate_shows(app, client, cast):
    """The print stylesheet hides the header, footer and anything marked app-no-print; the
    page puts its buttons, status and back link in those."""
    pat, *_, completion = cast
    sign_in(client, pat)
    html = page(client.get(f"/certificates/{completion.id}"))
    article = re.search(r'<article class="app-certificate".*?</article>', html, re.S).group(0)
    assert "Pat Practitioner" in article and completion.certificate_code in article
    assert "app-no-print" in html and "govuk-back-link app-no-print" in html
    assert "print option" not in article
    scss = (app.root_path + "/assets/app.scss")
    with open(scss) as f:
        rules = f.read().split("@media print", 1)[1]
    assert ".app-no-print" in rules and ".govuk-footer" in rules and ".govuk-template__header" in rules


def test_a_course_completion_names_the_module_it_completes_and_the_course(app, client, people):
    pat = people.user("pat@example.org", name="Pat Practitioner")
    module = module_row(SLUG)
    course = Course(title="Child protection conference training", validity_months=24)
    course.modules.append(module)
    db.session.add(course)
    db.session.flush()
    session = CourseSession(course_id=course.id, starts_at=utcnow() - timedelta(days=3),
                            ends_at=utcnow() - timedelta(days=3, hours=-3), venue="Town hall", capacity=10)
    db.session.add(session)
    db.session.flush()
    booking = Booking(session_id=session.id, user_id=pat.id, status="attended", seat=1)
    db.session.add(booking)
    db.session.flush()
    completion = Completion(user_id=pat.id, module_id=module.id, completed_at=session.starts_at,
                            expires_at=session.starts_at + timedelta(days=730), module_version=module.version,
                            source="course", booking_id=booking.id, certificate_code=certificate_code())
    db.session.add(completion)
    db.session.commit()
    sign_in(client, pat)
    html = page(client.get(f"/certificates/{completion.id}"))
    assert TITLE in html
    assert "Face-to-face course: Child protection conference training" in html


# Who may open it ----------------------------------------------------------------------


def test_another_practitioner_gets_404_for_someone_elses_certificate(client, cast):
    pat, olu, *_, completion = cast
    sign_in(client, olu)
    response = client.get(f"/certificates/{completion.id}")
    assert response.status_code == 404
    assert "Pat Practitioner" not in page(response)


def test_a_lead_of_another_agency_gets_404_and_the_persons_own_agency_lead_gets_200(app, client, cast):
    pat, olu, lead, far_lead, coordinator, completion = cast
    sign_in(client, far_lead)
    assert client.get(f"/certificates/{completion.id}").status_code == 404
    own = app.test_client()
    sign_in(own, lead)
    response = own.get(f"/certificates/{completion.id}")
    assert response.status_code == 200 and "Pat Practitioner" in page(response)


def test_coordinators_can_open_any_certificate_and_see_how_to_revoke_it(client, cast):
    *_, coordinator, completion = cast
    sign_in(client, coordinator)
    html = page(client.get(f"/certificates/{completion.id}"))
    assert "Pat Practitioner" in html and f"/certificates/{completion.id}/revoke" in html


def test_the_person_and_their_lead_are_not_offered_revoking(app, client, cast):
    pat, olu, lead, *_, completion = cast
    for person in (pat, lead):
        browser = app.test_client()
        sign_in(browser, person)
        assert "/revoke" not in page(browser.get(f"/certificates/{completion.id}"))


def test_a_certificate_that_does_not_exist_is_404(client, cast):
    pat, *_ = cast
    sign_in(client, pat)
    assert client.get("/certificates/999999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, cast):
    *_, completion = cast
    for url in (f"/certificates/{completion.id}", "/certificates", "/certificates/download"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.location, url


# My certificates and the download ------------------------------------------------------


@pytest.fixture
def three_certificates(cast, records):
    """Pat: the one from `cast`, an expired one, and a revoked one; Olu has one too."""
    pat, olu, *_, first = cast
    expired = records.completion(pat, "escalation", completed_at=utcnow() - timedelta(days=800),
                                 expires_at=utcnow() - timedelta(days=70))
    revoked = records.completion(pat, "core-groups", completed_at=utcnow() - timedelta(days=5), revoked=True)
    theirs = records.completion(olu, SLUG, completed_at=utcnow() - timedelta(days=5))
    return first, expired, revoked, theirs


def test_my_certificates_lists_my_certificates_but_not_revoked_ones_or_other_peoples(client, cast, three_certificates):
    pat, *_ = cast
    first, expired, revoked, theirs = three_certificates
    sign_in(client, pat)
    html = page(client.get("/certificates"))
    assert f"/certificates/{first.id}" in html and f"/certificates/{expired.id}" in html
    assert f"/certificates/{revoked.id}" not in html and f"/certificates/{theirs.id}" not in html
    assert "Expired" in html and "Valid" in html
    assert "/certificates/download" in html


def test_download_all_is_one_html_file_with_every_certificate_each_on_its_own_printed_page(client, cast,
                                                                                         three_certificates):
    pat, *_ = cast
    first, expired, revoked, theirs = three_certificates
    sign_in(client, pat)
    response = client.get("/certificates/download")
    assert response.status_code == 200
    assert response.mimetype == "text/html" and response.mimetype_params.get("charset") == "utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".html" in disposition
    html = page(response)
    assert html.count('<article class="app-certificate"') == 2
    for completion in (first, expired):
        assert completion.certificate_code in html
        assert f"http://127.0.0.1:5000/verify/{completion.certificate_code}" in html
    assert revoked.certificate_code not in html and theirs.certificate_code not in html
    assert html.count("Pat Practitioner") >= 3  # the title and each certificate
    # Self-contained: its own stylesheet, nothing loaded from anywhere, no script.
    assert "<script" not in html and 'rel="stylesheet"' not in html and " src=" not in html
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "@media print" in css and "break-after: page" in css
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in response.headers["Content-Security-Policy"]


def test_downloading_with_no_certificates_explains_there_are_none_yet(client, people):
    sign_in(client, people.user())
    response = client.get("/certificates/download", follow_redirects=True)
    assert "You do not have any certificates to download yet" in page(response)


def test_the_result_page_of_a_pass_links_to_its_certificate(client, people):
    pat = people.user()
    sign_in(client, pat)
    attempt_id = start(client, SLUG)
    answer_all(client, attempt_id)
    completion = db.session.scalar(select(Completion).where(Completion.attempt_id == attempt_id))
    html = page(client.get(f"/attempts/{attempt_id}/result"))
    assert f"/certificates/{completion.id}" in html
    assert client.get(f"/certificates/{completion.id}").status_code == 200


def test_my_learning_links_to_my_certificates_and_each_modules_certificate(client, cast):
    pat, *_, completion = cast
    sign_in(client, pat)
    html = page(client.get("/my-learning"))
    assert 'href="/certificates"' in html and f"/certificates/{completion.id}" in html


def test_a_lead_sees_their_staff_members_certificates_on_the_persons_record(client, cast):
    pat, olu, lead, *_, completion = cast
    sign_in(client, lead)
    assert f"/certificates/{completion.id}" in page(client.get(f"/people/{pat.id}"))


# Public verification ---------------------------------------------------------------------


def test_a_valid_certificate_verifies_without_signing_in(client, cast):
    *_, completion = cast
    response = client.get(f"/verify/{completion.certificate_code}")
    assert response.status_code == 200
    html = page(response)
    assert "This certificate is valid" in html
    assert "Pat Practitioner" in html and TITLE in html
    assert long_date(completion.completed_at) in html and long_date(completion.expires_at) in html
    assert response.headers["Cache-Control"] == "no-store"


def test_an_expired_certificate_shows_as_expired(client, people, records):
    pat = people.user(name="Pat Practitioner")
    completion = records.completion(pat, SLUG, completed_at=utcnow() - timedelta(days=800),
                                    expires_at=utcnow() - timedelta(days=1))
    html = page(client.get(f"/verify/{completion.certificate_code}"))
    assert "This certificate has expired" in html and "is valid" not in html
    assert "Expired on" in html and long_date(completion.expires_at) in html


def test_a_revoked_certificate_shows_as_revoked(client, people, records):
    pat = people.user(name="Pat Practitioner")
    completion = records.completion(pat, SLUG, completed_at=utcnow() - timedelta(days=3), revoked=True)
    html = page(client.get(f"/verify/{completion.certificate_code}"))
    assert "This certificate has been revoked" in html and "is valid" not in html


def test_the_verification_page_shows_nothing_personal_beyond_the_name(client, cast, records):
    pat, *_, completion = cast
    records.completion(pat, "escalation", completed_at=utcnow() - timedelta(days=2))
    html = page(client.get(f"/verify/{completion.certificate_code}"))
    assert "Pat Practitioner" in html
    for private in ("pat@example.org", "Police A", "Detective constable", "Escalation", "score", "100%"):
        assert private.lower() not in html.lower(), private


@pytest.mark.parametrize("typed", [
    lambda code: code.lower(),
    lambda code: code.replace("-", ""),
    lambda code: code.replace("-", " ").lower(),
    lambda code: " " + code.replace("-", "\u2013") + " ",
])
def test_a_code_is_found_whatever_its_case_spaces_or_dashes(client, cast, typed):
    *_, completion = cast
    response = client.get(f"/verify/{typed(completion.certificate_code)}")
    assert response.status_code == 200 and "This certificate is valid" in page(response)


@pytest.mark.parametrize("wrong", ["NOT-A-CODE", "x", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", None])
def test_a_wrong_code_is_404_and_reveals_nothing(client, cast, wrong):
    *_, completion = cast
    code = wrong or certificate_code()  # None: a well-formed code nobody has
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    html = page(response)
    assert "We could not find a certificate with that code" in html
    assert "Pat Practitioner" not in html and TITLE not in html and completion.certificate_code not in html


def test_a_code_one_character_off_is_not_found(client, cast):
    *_, completion = cast
    code = completion.certificate_code
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert client.get(f"/verify/{altered}").status_code == 404


def test_the_verify_form_sends_a_typed_code_to_its_page(client, cast):
    *_, completion = cast
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="code"' in page(form) and 'method="get"' in page(form)
    typed = completion.certificate_code.replace("-", " ").lower()
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.location.endswith(f"/verify/{completion.certificate_code}")


def test_the_verify_form_explains_a_missing_or_malformed_code(client):
    empty = page(client.get("/verify", query_string={"code": ""}))
    assert "Enter the certificate code" in empty and "govuk-error-summary" in empty
    malformed = page(client.get("/verify", query_string={"code": "ABC-123"}))
    assert "24 letters and numbers" in malformed


def test_verifying_is_rate_limited_per_ip_address(app, cast):
    """RATELIMIT_ENABLED is off for tests; this one runs an app with it on, on the same database."""
    from learning import create_app

    *_, completion = cast
    limited = create_app(testing=True, test_config={
        "RATELIMIT_ENABLED": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    limiter.reset()
    try:
        client = limited.test_client()
        assert limited.config["VERIFY_RATE_LIMIT"] == "30 per minute"
        statuses = [client.get(f"/verify/{certificate_code()}").status_code for _ in range(29)]
        assert statuses == [404] * 29
        assert client.get(f"/verify/{completion.certificate_code}").status_code == 200
        blocked = client.get(f"/verify/{completion.certificate_code}")
        assert blocked.status_code == 429 and "Pat Practitioner" not in page(blocked)
        other_ip = client.get(f"/verify/{completion.certificate_code}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other_ip.status_code == 200
    finally:
        limiter.reset()
        limiter.enabled = False  # the limiter is shared with the session's app
        with limited.app_context():
            db.engine.dispose()


# Revoking --------------------------------------------------------------------------------


def test_revoking_needs_a_coordinator(app, cast):
    pat, olu, lead, far_lead, coordinator, completion = cast
    for person in (pat, lead):
        browser = app.test_client()
        sign_in(browser, person)
        assert browser.get(f"/certificates/{completion.id}/revoke").status_code == 403
        assert browser.post(f"/certificates/{completion.id}/revoke", data={"reason": "No"}).status_code == 403
    db.session.refresh(completion)
    assert completion.revoked_at is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate_revoke")) is None


def test_a_coordinator_confirms_and_gives_a_reason_and_the_revoke_is_audited(client, cast):
    pat, *_, coordinator, completion = cast
    sign_in(client, coordinator)
    confirm = page(client.get(f"/certificates/{completion.id}/revoke"))
    assert "Are you sure you want to revoke this certificate?" in confirm and "Pat Practitioner" in confirm
    missing = client.post(f"/certificates/{completion.id}/revoke", data={"reason": ""})
    assert missing.status_code == 200 and "Enter why you are revoking this certificate" in page(missing)
    db.session.refresh(completion)
    assert completion.revoked_at is None

    response = client.post(f"/certificates/{completion.id}/revoke", data={"reason": "Recorded for the wrong person"})
    assert response.status_code == 302 and response.location.endswith(f"/certificates/{completion.id}")
    db.session.refresh(completion)
    assert completion.revoked_at is not None
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate_revoke")).all()
    assert event.actor_id == coordinator.id
    assert completion.certificate_code in event.detail and "Recorded for the wrong person" in event.detail
    assert "was revoked on" in page(client.get(f"/certificates/{completion.id}"))

    again = client.post(f"/certificates/{completion.id}/revoke", data={"reason": "Twice"})
    assert again.status_code == 200 and "already been revoked" in page(again)
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate_revoke")).all()) == 1


def test_a_revoked_certificate_fails_verification_leaves_my_certificates_and_stops_counting(app, client, cast):
    from learning.compliance import Scope, pairs

    pat, *_, coordinator, completion = cast
    module_id = completion.module_id

    def status() -> str:
        rows = db.session.execute(pairs(Scope(), user_ids=[pat.id])).all()
        return next(r.status for r in rows if r.module_id == module_id)

    assert status() == "in_date"
    sign_in(client, coordinator)
    client.post(f"/certificates/{completion.id}/revoke", data={"reason": "Recorded in error"})
    assert "This certificate has been revoked" in page(app.test_client().get(f"/verify/{completion.certificate_code}"))
    assert status() == "not_started"
    mine = app.test_client()
    sign_in(mine, pat)
    assert f"/certificates/{completion.id}" not in page(mine.get("/certificates"))
