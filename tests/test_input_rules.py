"""Input that used to make a 500: characters, whole numbers and dates, on both databases.

Text: every form cleans what is typed by the one rule for text (NFC, no character XML 1.0
forbids, NUL included: removed). Numbers: an id no row could have is a 404, a page number
or agency beyond any there could be is the first or last page or ignored. Dates: a date
that is not a real one, or outside the years the service deals in, is an error naming the
field."""
from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select

from learning.courses import bookings
from learning.extensions import db
from learning.forms import Form
from learning.models import ExternalRecord, Role, User
from tests.conftest import module_row, sign_in

HUGE = 2**64
JUST_TOO_BIG = 2**63


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_form_in_the_service_is_built_on_the_form_that_cleans_text(app):
    ours = [f for f in _all_subclasses(FlaskForm) if f.__module__.startswith("learning.")]
    assert len(ours) > 15
    assert [f.__qualname__ for f in ours if not issubclass(f, Form)] == []


def test_a_nul_in_the_sign_in_form_is_an_ordinary_failed_sign_in(client, people):
    pat = people.user()
    for email, error in (("pat@example.org\x00", "Enter a correct email address and password"),
                         ("\x00", "Enter your email address"),
                         ("ann\x00@example.org", "Enter a correct email address and password")):
        response = client.post("/sign-in", data={"email": email, "password": "wrong password here"})
        assert response.status_code == 200, email
        assert error in response.get_data(as_text=True), email
    # Removed, not refused: what is left is what the person meant.
    assert sign_in(client, "pat@example.org\x00").status_code == 302
    assert pat


def test_a_name_typed_with_forbidden_characters_is_stored_clean_and_in_nfc(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    pat = people.user("pat@example.org")
    response = client.post(f"/people/{pat.id}/edit", data={"name": "Zoe\u0308\ufffe Oka\x00for\uffff",
                                                            "job_title": "Social\x0b worker", "team": 0})
    assert response.status_code == 302
    db.session.refresh(pat)
    assert (pat.name, pat.job_title) == ("Zoë Okafor", "Social worker")


def test_a_name_of_only_forbidden_characters_is_an_empty_name(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    pat = people.user("pat@example.org")
    page = client.post(f"/people/{pat.id}/edit", data={"name": "\x00\ufffe", "team": 0}).get_data(as_text=True)
    assert "Enter the person&#39;s name" in page
    db.session.refresh(pat)
    assert pat.name == "Pat"


def test_search_boxes_take_a_nul(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    people.user("pat@example.org")
    for address in ("/people/?q=pa\x00t", "/dashboard/staff?q=\x00", "/audit/?person=\x00",
                    "/verify?code=\x00"):
        assert client.get(address).status_code in (200, 403), address
    assert "pat@example.org" in client.get("/people/?q=pa\x00t").get_data(as_text=True)


@pytest.mark.parametrize("address", [
    "/people/{n}", "/people/{n}/edit", "/people/{n}/data.xlsx", "/dashboard/people/{n}", "/agencies/{n}",
    "/agencies/1/teams/{n}/edit", "/dashboard/agencies/{n}", "/courses/manage/{n}", "/courses/sessions/{n}",
    "/courses/manage/sessions/{n}/register", "/certificates/{n}", "/external/{n}/review", "/attempts/{n}/check",
    "/attempts/1/questions/{n}",
])
def test_an_id_beyond_64_bits_is_not_found(client, people, address):
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    for n in (JUST_TOO_BIG, HUGE, 10**40):
        assert client.get(address.format(n=n)).status_code == 404, n


def test_ids_around_the_largest_an_id_column_holds_are_simply_not_found(client, people):
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    for n in (2**31 - 1, 2**31, 2**63 - 1):
        assert client.get(f"/people/{n}").status_code == 404, n
        assert client.get(f"/dashboard/people/{n}").status_code == 404, n
        assert client.get(f"/people/?agency={n}").status_code == 200, n


def test_page_numbers_and_agencies_beyond_any_there_could_be_show_a_page(client, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    people.user("pat@example.org")
    for query in (f"page={HUGE}", f"page=-{HUGE}", "page=0", "page=x", f"agency={HUGE}", f"agency=-{HUGE}",
                  f"team={HUGE}", f"module={HUGE}"):
        for address in ("/people/", "/dashboard/staff", "/audit/", f"/dashboard/agencies/{people.agency().id}"):
            response = client.get(f"{address}?{query}")
            assert response.status_code in (200, 403), (address, query)
    assert "pat@example.org" in client.get(f"/people/?page={HUGE}").get_data(as_text=True), "the last page"
    assert client.get(f"/dashboard/completions?module=police-protection&agency={HUGE}").status_code == 200
    assert client.get(f"/courses/non-attendance?agency={HUGE}").status_code == 200


MALFORMED_DATES = {
    "must include a day, month and year": [["1", "2"], ["1", "2", "2026", "4"], ["", "3", "2026"]],
    "must be a real date": [["a", "b", "c"], ["31", "2", "2026"], ["1", "13", "2026"], ["-1", "1", "2026"],
                            [str(HUGE), "1", "2026"], ["1", "1", "99999"], ["١", "١", "٢٠٢٦"]],
    "must be a real date, with a year from 1900 to 2099": [["1", "1", "9999"], ["1", "1", "0001"], ["31", "12", "1899"]],
}


def _cases():
    return [(message, parts) for message, cases in MALFORMED_DATES.items() for parts in cases]


@pytest.mark.parametrize("message, parts", _cases())
def test_a_malformed_date_completed_is_an_error_naming_the_field(client, people, message, parts):
    sign_in(client, people.user())
    response = client.post("/external/new", data={"title": "Course", "provider": "Provider", "completed_on": parts})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    if parts[0]:
        assert f"Date completed {message}" in page
    else:
        assert "Enter the date you completed the training" in page
    assert db.session.scalar(select(ExternalRecord)) is None


@pytest.mark.parametrize("message, parts", _cases())
def test_a_malformed_date_in_the_report_forms_is_an_error_naming_the_field(client, people, message, parts):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    day = ["1", "1", "2026"]
    reports = {
        "/dashboard/completions": {"module": "police-protection", "start": parts, "end": day},
        "/courses/non-attendance": {"start": parts, "end": day},
        "/audit/": {"start": parts},
    }
    db.session.get(User, people.user("adi@example.org", role=Role.ADMIN).id)
    admin = client.application.test_client()
    sign_in(admin, "adi@example.org")
    for address, query in reports.items():
        response = (admin if address == "/audit/" else client).get(address, query_string=query)
        assert response.status_code == 200, address
        page = response.get_data(as_text=True).replace("&#39;", "'")
        if parts[0]:
            assert message in page and ("Start date " in page or "The 'From' date " in page), address


@pytest.mark.parametrize("message, parts", _cases())
def test_a_malformed_session_date_is_an_error_naming_the_field(client, people, message, parts):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    course = bookings.create_course("Neglect", "", 24, [module_row("escalation")])
    response = client.post(f"/courses/manage/{course.id}/sessions/new", data={
        "day": parts, "starts": "09:30", "ends": "12:00", "venue": "Hall", "capacity": "10"})
    assert response.status_code == 200
    if parts[0]:
        assert f"Date of the session {message}" in response.get_data(as_text=True)
