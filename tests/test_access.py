"""Every route declares who may use it, and each role gets exactly the answer the table
below says, on real objects.

The table has one row per route and method: the answer for each role, asked about objects
that exist (a practitioner's attempt, certificate, booking, external record; their agency
and team; a course and its session; a staff import the agency lead uploaded; an invitation).
A route without a row fails the test, so a new route cannot be added without saying who may
use it. Forms are posted empty: the answer says whether the role got past the access check
(a page with errors, or the redirect that follows the action) or was refused.

Answers: 200, 403, 404, SIGN_IN (a redirect to the sign-in page), or "to PATH" (another
redirect, where that is the real answer). PATH may name the world's ids: {person},
{agency}, {team}, {attempt}, {completion}, {booking}, {course}, {session}, {record},
{token}, {invite}, {code}, {other_agency}, {job}, and {new} an id the request made.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from learning.extensions import db
from learning.impact.follow_up import token_for as follow_up_token
from learning.impact.models import FollowUp
from learning.jobs.models import Job
from learning.models import Attempt, Booking, ExternalRecord, Role, Team, User
from learning.people.invitations import invitation_token
from tests.conftest import sign_in

SLUG = "police-protection"
SIGN_IN = "sign-in"
ROLES = ("anonymous", "practitioner", "other_lead", "lead", "coordinator", "admin")
# Redirects that are the real answer: an attempt with nothing answered goes to its first
# question; another role's Start makes their own attempt; booking a session or changing a
# person goes back to that session or person; no certificates means nothing to download.
QUESTION_1 = "to /attempts/{attempt}/questions/1"
NEW_ATTEMPT = "to /attempts/{new}/confidence"
# Starting a module with learning outcomes asks for confidence before the first question.
CONFIDENCE = "to /attempts/{attempt}/confidence"
THE_SESSION = "to /courses/sessions/{session}"
THE_PERSON = "to /people/{person}"
MANAGE_SESSION = "to /courses/manage/sessions/{session}"
NO_CERTIFICATES = "to /certificates"

TABLE = {
    # (rule, method): (anonymous, practitioner, other agency's lead, agency lead, coordinator, admin)
    ("/", "GET"): (SIGN_IN, *["to /my-learning"] * 5),
    ("/account", "GET"): (SIGN_IN, *[200] * 5),
    ("/account/password", "GET"): (SIGN_IN, *[200] * 5),
    ("/account/two-factor", "GET"): (SIGN_IN, *[200] * 5),
    ("/password/forgotten", "GET"): (200, *[200] * 5),
    ("/password/reset/<token>", "GET"): (410, *[410] * 5),
    ("/sign-in/code", "GET"): (SIGN_IN, *[SIGN_IN] * 5),
    # The person has no second factor to reset, so the page sends the admin back to them.
    ("/people/<id:user_id>/two-factor/reset", "GET"): (SIGN_IN, 403, 403, 403, 403, THE_PERSON),
    ("/agencies/", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/manage", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/<id:agency_id>", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/<id:agency_id>/edit", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/<id:agency_id>/teams/<id:team_id>/edit", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/<id:agency_id>/teams/new", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/new", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/attempts/<id:attempt_id>/check", "GET"): (SIGN_IN, QUESTION_1, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/questions/<id:number>", "GET"): (SIGN_IN, 200, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/questions/<id:number>/feedback", "GET"): (SIGN_IN, QUESTION_1, *[404] * 4),
    ("/attempts/<id:attempt_id>/result", "GET"): (SIGN_IN, QUESTION_1, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/review", "GET"): (SIGN_IN, QUESTION_1, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/confidence", "GET"): (SIGN_IN, 200, 404, 404, 404, 404),
    # The follow-up link opens only for its person.
    ("/follow-ups/<token>", "GET"): (SIGN_IN, 200, 404, 404, 404, 404),
    ("/impact/", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    # The world's booking is for a session to come: nobody evaluates it until marked attended.
    ("/bookings/<id:booking_id>/evaluation", "GET"): (SIGN_IN, 404, 404, 404, 404, 404),
    ("/audit/", "GET"): (SIGN_IN, 403, 403, 403, 403, 200),
    ("/audit/download", "GET"): (SIGN_IN, 403, 403, 403, 403, 200),
    ("/certificates", "GET"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/certificates/<id:completion_id>", "GET"): (SIGN_IN, 200, 404, 200, 200, 200),
    ("/certificates/<id:completion_id>/revoke", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/certificates/download", "GET"): (SIGN_IN, 200, *[NO_CERTIFICATES] * 4),
    ("/courses/", "GET"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/courses/bookings/<id:booking_id>/cancel", "GET"): (SIGN_IN, 200, 404, 404, 404, 404),
    ("/courses/manage", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/<id:course_id>", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/<id:course_id>/sessions/new", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/new", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/sessions/<id:session_id>", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/sessions/<id:session_id>/<kind>.xlsx", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/sessions/<id:session_id>/register", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/non-attendance", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/courses/manage/<id:course_id>/edit", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/sessions/<id:session_id>/edit", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/sessions/<id:session_id>/cancel", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    # Any session may be opened by a lead; whom they may book is limited to their own staff.
    ("/courses/sessions/<id:session_id>/book-for", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/courses/sessions/<id:session_id>", "GET"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/dashboard/", "GET"): (SIGN_IN, 403, "to /dashboard/agencies/{other_agency}", "to /dashboard/agencies/{agency}",
                             200, 200),
    ("/dashboard/agencies/<id:agency_id>", "GET"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/dashboard/attempts/<id:attempt_id>", "GET"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/dashboard/completions", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/dashboard/compliance.xlsx", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/dashboard/board-pack.pdf", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/dashboard/scheduled-reports", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/dashboard/scheduled-reports/new", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    # The email's link is signed: any other token (here the staff import's) is a 404, for everyone.
    ("/dashboard/scheduled-reports/stop/<token>", "GET"): (404, *[404] * 5),
    ("/dashboard/misconceptions", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/dashboard/misconceptions/<slug>/<question_id>", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/dashboard/people/<id:user_id>", "GET"): (SIGN_IN, 403, 404, THE_PERSON, THE_PERSON, THE_PERSON),
    ("/dashboard/staff", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/external/", "GET"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/external/<id:record_id>/evidence", "GET"): (SIGN_IN, 200, 404, 200, 200, 200),
    ("/external/<id:record_id>/review", "GET"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/external/new", "GET"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/external/review", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/health", "GET"): (200, 200, 200, 200, 200, 200),
    # A workbook being prepared: only the agency lead who asked for it sees it (a job still
    # queued, so its download and Try again go back to its page).
    ("/jobs/<id:job_id>", "GET"): (SIGN_IN, 403, 404, 200, 404, 404),
    ("/jobs/<id:job_id>/status", "GET"): (SIGN_IN, 403, 404, 200, 404, 404),
    ("/jobs/<id:job_id>/download", "GET"): (SIGN_IN, 403, 404, "to /jobs/{job}", 404, 404),
    ("/import-staff", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/import-staff/<token>", "GET"): (SIGN_IN, 403, 404, 200, 404, 404),
    ("/import-staff/template.csv", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/modules/<slug>", "GET"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/my-learning", "GET"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/people/", "GET"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/people/<id:user_id>", "GET"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/people/<id:user_id>/data.xlsx", "GET"): (SIGN_IN, 403, 403, 403, 403, 200),
    ("/people/<id:user_id>/deactivate", "GET"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/people/<id:user_id>/edit", "GET"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/people/<id:user_id>/erase", "GET"): (SIGN_IN, 403, 403, 403, 403, 200),
    ("/people/<id:user_id>/role", "GET"): (SIGN_IN, 403, 403, 403, 403, 200),
    ("/people/new", "GET"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/set-password/<token>", "GET"): (200, 200, 200, 200, 200, 200),
    ("/sign-in", "GET"): (200, "to /", "to /", "to /", "to /", "to /"),
    ("/verify", "GET"): (200, 200, 200, 200, 200, 200),
    ("/verify/<code>", "GET"): (200, 200, 200, 200, 200, 200),
    ("/account/password", "POST"): (SIGN_IN, *[200] * 5),
    ("/account/two-factor", "POST"): (SIGN_IN, *[200] * 5),
    ("/password/forgotten", "POST"): (200, *[200] * 5),
    ("/password/reset/<token>", "POST"): (410, *[410] * 5),
    ("/sign-in/code", "POST"): (SIGN_IN, *[SIGN_IN] * 5),
    ("/people/<id:user_id>/invitation", "POST"): (SIGN_IN, 403, 404, THE_PERSON, THE_PERSON, THE_PERSON),
    ("/people/<id:user_id>/two-factor/reset", "POST"): (SIGN_IN, 403, 403, 403, 403, THE_PERSON),
    ("/agencies/<id:agency_id>/edit", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/<id:agency_id>/teams/<id:team_id>/edit", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/<id:agency_id>/teams/new", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/agencies/new", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/attempts/<id:attempt_id>/questions/<id:number>", "POST"): (SIGN_IN, 200, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/submit", "POST"): (SIGN_IN, QUESTION_1, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/reflection", "POST"): (SIGN_IN, QUESTION_1, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/confidence", "POST"): (SIGN_IN, QUESTION_1, 404, 404, 404, 404),
    ("/attempts/<id:attempt_id>/confidence/after", "POST"): (SIGN_IN, QUESTION_1, 404, 404, 404, 404),
    ("/follow-ups/<token>", "POST"): (SIGN_IN, 200, 404, 404, 404, 404),
    ("/bookings/<id:booking_id>/evaluation", "POST"): (SIGN_IN, 404, 404, 404, 404, 404),
    ("/certificates/<id:completion_id>/revoke", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/bookings/<id:booking_id>/cancel", "POST"): (SIGN_IN, "to /courses/", 404, 404, 404, 404),
    ("/courses/manage/<id:course_id>/sessions/new", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/new", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/sessions/<id:session_id>/register", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/sessions/<id:session_id>/book", "POST"): (SIGN_IN, *[THE_SESSION] * 5),
    ("/courses/manage/<id:course_id>/edit", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    # Refused (the course has a session to come), so back to the course.
    ("/courses/manage/<id:course_id>/cancel", "POST"): (SIGN_IN, 403, 403, 403, *["to /courses/manage/{course}"] * 2),
    ("/courses/manage/sessions/<id:session_id>/edit", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/courses/manage/sessions/<id:session_id>/cancel", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    # Posted with no person: nobody in scope, so a 404 (as for someone outside it).
    ("/courses/sessions/<id:session_id>/book-for", "POST"): (SIGN_IN, 403, 404, 404, 404, 404),
    ("/courses/manage/sessions/<id:session_id>/walk-in", "POST"): (SIGN_IN, 403, 403, 403, 404, 404),
    # The booking is a place, not a wait-list place: refused, back to the session.
    ("/courses/manage/bookings/<id:booking_id>/move", "POST"): (SIGN_IN, 403, 403, 403, *[MANAGE_SESSION] * 2),
    ("/dashboard/scheduled-reports/new", "POST"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/dashboard/scheduled-reports/stop/<token>", "POST"): (404, *[404] * 5),
    # Only its owner (the agency lead) may unsubscribe it; anyone else's answer is a 404.
    ("/dashboard/scheduled-reports/<id:subscription_id>/unsubscribe", "POST"): (
        SIGN_IN, 403, 404, "to /dashboard/scheduled-reports", 404, 404),
    ("/external/<id:record_id>/review", "POST"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/external/new", "POST"): (SIGN_IN, 200, 200, 200, 200, 200),
    ("/jobs/<id:job_id>/retry", "POST"): (SIGN_IN, 403, 404, "to /jobs/{job}", 404, 404),
    ("/import-staff", "POST"): (SIGN_IN, 403, 200, 200, 200, 200),
    ("/import-staff/<token>", "POST"): (SIGN_IN, 403, 404, 200, 404, 404),
    ("/modules/<slug>/start", "POST"): (SIGN_IN, CONFIDENCE, *[NEW_ATTEMPT] * 4),
    ("/people/<id:user_id>/deactivate", "POST"): (SIGN_IN, 403, 404, THE_PERSON, THE_PERSON, THE_PERSON),
    ("/people/<id:user_id>/edit", "POST"): (SIGN_IN, 403, 404, 200, 200, 200),
    ("/people/<id:user_id>/erase", "POST"): (SIGN_IN, 403, 403, 403, 403, "to /people/"),
    ("/people/<id:user_id>/reactivate", "POST"): (SIGN_IN, 403, 404, THE_PERSON, THE_PERSON, THE_PERSON),
    ("/people/<id:user_id>/role", "POST"): (SIGN_IN, 403, 403, 403, 403, 200),
    ("/people/new", "POST"): (SIGN_IN, 403, 403, 403, 200, 200),
    ("/set-password/<token>", "POST"): (200, 200, 200, 200, 200, 200),
    ("/sign-in", "POST"): (200, "to /", "to /", "to /", "to /", "to /"),
    # Cancels the practitioner's booking, so it comes after every other row about it.
    ("/courses/manage/bookings/<id:booking_id>/remove", "POST"): (SIGN_IN, 403, 403, 403, *[MANAGE_SESSION] * 2),
    # Ends every session of the person, so it comes just before signing out.
    ("/account/sign-out-everywhere", "POST"): (SIGN_IN, *[SIGN_IN] * 5),
    ("/sign-out", "POST"): (SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN),
}


@dataclass
class World:
    ids: dict[str, object]
    emails: dict[str, str]


@pytest.fixture
def world(app, people, records, tmp_path, monkeypatch) -> World:
    """The objects every row asks about, made through the service as people would make them."""
    from learning.courses.bookings import book, create_course, create_session
    from learning.models import Module, Sector, utcnow

    monkeypatch.setitem(app.config, "STAFF_IMPORT_DIR", str(tmp_path / "uploads"))
    monkeypatch.setattr(app, "instance_path", str(tmp_path))  # evidence files go here
    home = people.agency("Home Police")
    other = people.agency("Other Health", Sector.HEALTH)
    people.agency("Partnership", Sector.OTHER)
    team = Team(name="Response", agency_id=home.id)
    db.session.add(team)
    db.session.commit()
    person = people.user("pat@example.org", Role.PRACTITIONER, "Home Police")
    person.team_id = team.id
    lead = people.user("lee@example.org", Role.AGENCY_LEAD, "Home Police")
    people.user("olu@example.org", Role.AGENCY_LEAD, "Other Health")
    people.user("cat@example.org", Role.COORDINATOR, "Partnership")
    people.user("ada@example.org", Role.ADMIN, "Partnership")
    invited = User(email="ivy@example.org", name="Ivy", role=Role.PRACTITIONER.value, agency_id=home.id)
    db.session.add(invited)
    db.session.commit()

    other_module = db.session.scalar(select(Module).where(Module.slug != SLUG).order_by(Module.slug))
    completion = records.completion(person, other_module.slug, utcnow() - timedelta(days=10))
    course = create_course("Safeguarding day", "A day together", 36, [other_module])
    starts = utcnow() + timedelta(days=30)
    session = create_session(course, starts, starts + timedelta(hours=6), "Town Hall", False, 20, "Sam")
    booking = book(session, person)

    as_person = app.test_client()
    sign_in(as_person, person)
    page = as_person.get(f"/modules/{SLUG}")
    assert page.status_code == 200
    started = as_person.post(f"/modules/{SLUG}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)/", started.location).group(1))
    day = date.today() - timedelta(days=20)
    recorded = as_person.post("/external/new", content_type="multipart/form-data", data={
        "title": "Trauma day", "provider": "Council", "completed_on": [day.day, day.month, day.year],
        "evidence_note": "Certificate", "evidence": (io.BytesIO(b"%PDF-1.4 evidence"), "certificate.pdf")})
    assert recorded.status_code == 302
    record = db.session.scalar(select(ExternalRecord).where(ExternalRecord.user_id == person.id))

    as_lead = app.test_client()
    sign_in(as_lead, lead)
    uploaded = as_lead.post("/import-staff", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"name,email\r\nNew Person,new@example.org\r\n"), "staff.csv")})
    token = uploaded.location.rsplit("/", 1)[1]

    from learning.compliance.scheduled import subscribe

    subscription = subscribe(lead, home.id, "weekly", ["board@example.org"])
    follow_up = FollowUp(completion_id=completion.id, user_id=person.id)
    db.session.add(follow_up)
    db.session.commit()
    job = Job(user_id=lead.id, kind="compliance", scope=json.dumps({"agencies": [home.id]}), active_key="compliance:home",
              filename="compliance.xlsx")
    db.session.add(job)
    db.session.commit()

    assert db.session.get(Attempt, attempt_id) is not None and db.session.get(Booking, booking.id) is not None
    ids = {"person": person.id, "agency": home.id, "team": team.id, "attempt": attempt_id,
           "completion": completion.id, "booking": booking.id, "course": course.id, "session": session.id,
           "record": record.id, "token": token, "invite": invitation_token(invited),
           "code": completion.certificate_code,
           "other_agency": other.id, "subscription": subscription.id, "follow_up": follow_up_token(follow_up),
           "job": job.id}
    emails = {"practitioner": "pat@example.org", "other_lead": "olu@example.org", "lead": "lee@example.org",
              "coordinator": "cat@example.org", "admin": "ada@example.org"}
    return World(ids, emails)


# The values each path parameter takes, by name (the world's objects).
PARAMETERS = {"user_id": "person", "agency_id": "agency", "team_id": "team", "attempt_id": "attempt",
              "completion_id": "completion", "booking_id": "booking", "course_id": "course",
              "session_id": "session", "record_id": "record", "code": "code",
              "subscription_id": "subscription", "job_id": "job"}
FIXED = {"number": 1, "slug": SLUG, "kind": "register", "question_id": "pp-01"}


def _url(app, world: World, endpoint: str, rule, method: str) -> str:
    values = {}
    for name in rule.arguments:
        if name == "token":
            values[name] = world.ids[{"auth.set_password": "invite", "practice.follow_up": "follow_up"}.get(
                endpoint, "token")]
        elif name in PARAMETERS:
            values[name] = world.ids[PARAMETERS[name]]
        else:
            values[name] = FIXED[name]
    return app.url_map.bind("localhost").build(endpoint, values, method=method)


def _answer(response, world: World):
    if response.status_code in (301, 302, 303):
        location = response.location
        if location.split("?")[0] == "/sign-in":
            return SIGN_IN
        return "to " + location
    return response.status_code


def _matches(got, answer, world: World) -> bool:
    """`answer` from the table against what came back; {new} stands for an id the request made."""
    if isinstance(answer, str) and answer.startswith("to "):
        pattern = re.escape(answer.format(**world.ids, new="{new}")).replace(re.escape("{new}"), r"\d+")
        return isinstance(got, str) and re.fullmatch(pattern, got) is not None
    return got == answer


def _walk(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":  # Flask's own: the compiled CSS and JavaScript, for anyone
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_a_row_in_the_table(app):
    routes = {(rule.rule, method) for rule, method in _walk(app)}
    assert routes - TABLE.keys() == set(), "routes with no row: add one saying what each role gets"
    assert TABLE.keys() - routes == set(), "rows for routes that do not exist"


def test_every_route_declares_an_access_rule(app):
    missing = [rule.rule for rule, _ in _walk(app)
               if getattr(app.view_functions[rule.endpoint], "access_rule", None) is None]
    assert missing == [], f"routes with no access rule: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answer_in_the_table_on_every_route(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        assert sign_in(client, world.emails[role]).status_code == 302
    rules = {(rule.rule, method): rule for rule, method in _walk(app)}
    wrong = []
    for (path, method), answers in TABLE.items():  # in the table's order: what changes things comes last
        rule = rules[(path, method)]
        url = _url(app, world, rule.endpoint, rule, method)
        got = _answer(client.open(url, method=method), world)
        expected = answers[ROLES.index(role)]
        if not _matches(got, expected, world):
            wrong.append(f"{method} {url}: expected {expected}, got {got}")
    assert wrong == []


@pytest.mark.parametrize("role", ["anonymous", "practitioner", "coordinator"])
def test_every_page_title_follows_one_pattern(app, world, role):
    """"<page> - <service> - <partnership>", with "Error: " first exactly when the page shows
    an error summary: every GET route the role may open (downloads aside)."""
    client = app.test_client()
    if role != "anonymous":
        assert sign_in(client, world.emails[role]).status_code == 302
    rules = {(rule.rule, method): rule for rule, method in _walk(app)}
    suffix = f" - {app.config['SERVICE_NAME']} - {app.config['PARTNERSHIP_NAME']}"
    wrong, checked = [], 0
    for (path, method), answers in TABLE.items():
        if method != "GET" or answers[ROLES.index(role)] != 200:
            continue
        response = client.get(_url(app, world, rules[(path, method)].endpoint, rules[(path, method)], method))
        if response.mimetype != "text/html" or "attachment" in response.headers.get("Content-Disposition", ""):
            continue
        page = response.get_data(as_text=True)
        title = " ".join(re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1).split())
        shows_errors = "govuk-error-summary" in page
        name = title.removeprefix("Error: ").removesuffix(suffix)
        if (not title.endswith(suffix) or title.startswith("Error: ") != shows_errors or not name
                or app.config["SERVICE_NAME"] in name):
            wrong.append(f"{path}: {title!r}")
        checked += 1
    assert wrong == []
    assert checked >= {"anonymous": 3, "practitioner": 15, "coordinator": 45}[role]


def test_post_without_a_csrf_token_is_refused(app, client, people):
    sign_in(client, people.user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/modules/police-protection/start")
        assert response.status_code == 400
        assert client.post("/sign-out").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_pages_send_security_headers(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
