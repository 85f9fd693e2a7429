"""The audit trail in sentences, with links to what still exists, and its download."""
from __future__ import annotations

import ast
import html
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from learning.audit.sentences import SENTENCES, label
from learning.courses.models import Booking, Course, CourseSession
from learning.data_protection import erase
from learning.extensions import db
from learning.models import AuditEvent, Role
from tests.conftest import sign_in

LEARNING = Path(__file__).resolve().parent.parent / "learning"


def _string_constants() -> tuple[dict[tuple[Path, str], str], dict[str, set[str]]]:
    by_file: dict[tuple[Path, str], str] = {}
    anywhere: dict[str, set[str]] = {}
    for path in LEARNING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                by_file[(path, node.targets[0].id)] = node.value.value
                anywhere.setdefault(node.targets[0].id, set()).add(node.value.value)
    return by_file, anywhere


def audit_codes_used() -> set[str]:
    """Every action code given to audit.record (or `record` imported from learning.audit) or
    to send_workbook anywhere in learning/. A code that is not a literal or a constant fails."""
    by_file, anywhere = _string_constants()
    codes: set[str] = set()
    for path in LEARNING.rglob("*.py"):
        source = path.read_text()
        bare_record = "from learning.audit import record" in source
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "audit" \
                    and func.attr == "record" or isinstance(func, ast.Name) and func.id == "record" and bare_record:
                arg = node.args[0]
            elif isinstance(func, ast.Name) and func.id == "send_workbook" and len(node.args) > 1:
                arg = node.args[1]
            else:
                continue
            if path.name == "download.py" and isinstance(arg, ast.Name) and arg.id == "action":
                continue  # send_workbook passes on the code its callers gave (collected above)
            if path.parent.name == "jobs" and ast.unparse(arg) == "kind.action":
                # A finished job audits its export's own code, from the registry of job kinds.
                from learning.jobs.kinds import KINDS

                codes |= {k.action for k in KINDS.values() if k.action}
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(arg.value)
                continue
            name = arg.id if isinstance(arg, ast.Name) else arg.attr if isinstance(arg, ast.Attribute) else None
            if isinstance(arg, ast.IfExp):  # PASSWORD_RESET if ... else PASSWORD_CHANGED
                names = [n.id for n in (arg.body, arg.orelse) if isinstance(n, ast.Name)]
                codes |= {by_file.get((path, n)) or next(iter(anywhere[n])) for n in names}
                continue
            assert name is not None, f"{path}:{node.lineno}: an audit code that is not a name or a literal"
            value = by_file.get((path, name)) or (next(iter(anywhere[name])) if len(anywhere.get(name, ())) == 1 else None)
            assert value, f"{path}:{node.lineno}: cannot tell which audit code {name} is"
            codes.add(value)
    return codes


def test_every_audit_code_used_has_a_sentence():
    used = audit_codes_used()
    assert len(used) > 40 and {"export_compliance", "sign_in", "booking_removed", "password_changed"} <= used
    assert used - set(SENTENCES) == set(), "give these audit codes a sentence in learning/audit/sentences.py"


def test_every_sentence_reads_as_a_sentence_about_anyone():
    for code in SENTENCES:
        words = label(code)
        assert words[0].isupper() and "{" not in words and "_" not in words, (code, words)


def _add(action, detail, actor=None, at=None):
    db.session.add(AuditEvent(action=action, detail=json.dumps(detail), actor_id=actor.id if actor else None,
                              actor_email=actor.email if actor else None, at=at or datetime(2026, 11, 3, 9),
                              ip="10.0.0.1"))
    db.session.commit()


def _rows(page: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [row for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)]


def _text(row: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", row)).split())


@pytest.fixture
def admin(client, people):
    user = people.user("adi@example.org", role=Role.ADMIN, name="Adi Admin")
    sign_in(client, user)
    return user


def test_events_read_as_sentences_with_links_to_what_still_exists(client, people, admin):
    sam = people.user("sam@example.org", role=Role.AGENCY_LEAD, agency="Northbrook Police", name="Sam Lee")
    agency = people.agency("Northbrook Police")
    pat = people.user("pat@example.org", name="Pat Kent")
    course = Course(title="Working together", validity_months=24)
    session = CourseSession(course=course, starts_at=datetime(2026, 12, 1, 9), ends_at=datetime(2026, 12, 1, 12),
                            venue="Hall", capacity=10)
    db.session.add_all([course, session])
    db.session.flush()
    booking = Booking(session_id=session.id, user_id=pat.id, status="booked", seat=1)
    db.session.add(booking)
    db.session.commit()
    _add("export_compliance", {"agencies": [agency.id], "people": 4}, sam)
    _add("booking_removed", {"booking": booking.id}, admin, at=datetime(2026, 11, 3, 10))
    _add("course_cancel", {"course": 999_999}, admin, at=datetime(2026, 11, 3, 11))
    rows = _rows(client.get("/audit/").text)[1:]  # after the admin's own sign-in
    assert [_text(r) for r in rows] == [
        "3 Nov 2026 11:00:00 Adi Admin cancelled the course that has since been deleted. 10.0.0.1",
        "3 Nov 2026 10:00:00 Adi Admin removed the booking of Pat Kent on the session Working together, 1 December 2026. 10.0.0.1",
        "3 Nov 2026 09:00:00 Sam Lee downloaded the compliance workbook for Northbrook Police. 10.0.0.1",
    ]
    assert f'href="/people/{sam.id}">Sam Lee</a>' in rows[2] and f'href="/agencies/{agency.id}">Northbrook Police</a>' in rows[2]
    assert f'href="/people/{pat.id}">Pat Kent</a>' in rows[1] and f'href="/courses/manage/sessions/{session.id}"' in rows[1]
    shown = " ".join(_text(r) for r in _rows(client.get("/audit/").text))
    assert "user id" not in shown and "export_compliance" not in shown and "session:" not in shown
    # Erased: named in plain text, no link to them.
    erase(pat)
    rows = _rows(client.get("/audit/").text)[1:]
    assert "removed the booking of an erased person on" in _text(rows[1]) and f"/people/{pat.id}" not in rows[1]


def test_a_real_download_and_sign_in_read_as_sentences(client, people, admin):
    lead = people.user("sam@example.org", role=Role.AGENCY_LEAD, agency="Northbrook Police", name="Sam Lee")
    other = client.application.test_client()
    sign_in(other, lead)
    assert other.get("/dashboard/compliance.xlsx").status_code == 200
    texts = [_text(r) for r in _rows(client.get("/audit/").text)]
    assert any("Sam Lee downloaded the compliance workbook for Northbrook Police." in t for t in texts)
    assert any("Sam Lee signed in." in t for t in texts)
    choices = client.get("/audit/").text
    assert "Someone downloaded the compliance workbook for agencies" in choices  # the search list says it in words


def test_the_trail_downloads_for_a_date_range_and_the_download_is_recorded(client, people, admin):
    sam = people.user("sam@example.org", role=Role.AGENCY_LEAD, agency="Northbrook Police", name="Sam Lee")
    _add("export_compliance", {"agencies": "all"}, sam, at=datetime(2026, 10, 31, 23, 59))
    _add("export_compliance", {"agencies": "all"}, sam, at=datetime(2026, 11, 1, 0, 0))
    db.session.add(AuditEvent(action="sign_in_failed", detail='{"email": "x@example.org"}', at=datetime(2026, 11, 2, 8),
                              actor_email="=HYPERLINK(1)"))
    _add("export_compliance", {"agencies": "all"}, sam, at=datetime(2026, 11, 3))
    _add("export_compliance", {"agencies": "all"}, sam, at=datetime(2026, 11, 4))
    response = client.get("/audit/download", query_string={"start": ["1", "11", "2026"], "end": ["3", "11", "2026"]})
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(response.data))["Audit trail"]
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref == "A4:F7"
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert [r[0] for r in rows] == [datetime(2026, 11, 1), datetime(2026, 11, 2, 8), datetime(2026, 11, 3)]
    assert rows[0][1:5] == ("Sam Lee", "Sam Lee downloaded the compliance workbook for every agency",
                            "export_compliance", '{"agencies": "all"}')
    assert rows[1][1] == "'=HYPERLINK(1)"  # what was typed cannot run as a formula
    assert rows[1][2] == "Someone failed to sign in as x@example.org: something"
    recorded = db.session.query(AuditEvent).filter_by(action="export_audit").one()
    assert json.loads(recorded.detail) == {"from": "2026-11-01", "to": "2026-11-03", "events": 3}
    assert recorded.actor_id == admin.id
    erase(sam)  # erased: the workbook does not name them either
    again = client.get("/audit/download", query_string={"start": ["1", "11", "2026"], "end": ["1", "11", "2026"]})
    row = next(load_workbook(io.BytesIO(again.data))["Audit trail"].iter_rows(min_row=5, values_only=True))
    assert row[1:3] == ("An erased person", "An erased person downloaded the compliance workbook for every agency")


def test_the_download_form_opens_clean_and_names_each_problem(client, admin):
    page = client.get("/audit/download").text
    assert "There is a problem" not in page
    page = client.get("/audit/download", query_string={"start": ["3", "11", "2026"], "end": ["1", "11", "2026"]}).text
    assert "The end date must be the same as or after the start date" in page
    page = client.get("/audit/download", query_string={"start": ["", "", ""], "end": ["1", "11", "2026"]}).text
    assert "Enter the &#39;From&#39; date" in page
    assert db.session.query(AuditEvent).filter_by(action="export_audit").count() == 0


def test_the_trail_page_runs_the_same_queries_for_few_or_many_events(client, people, admin, count_queries):
    sam = people.user("sam@example.org", role=Role.AGENCY_LEAD, agency="Northbrook Police", name="Sam Lee")
    agency = people.agency("Northbrook Police")

    def add(n):
        for i in range(n):
            person = people.user(f"p{n}-{i}@example.org")
            _add("user_deactivated", {"user_id": person.id}, sam, at=datetime(2026, 11, 3) + timedelta(minutes=i))
            _add("export_compliance", {"agencies": [agency.id]}, sam, at=datetime(2026, 11, 3) + timedelta(minutes=i))

    add(2)
    with count_queries() as counted:
        client.get("/audit/")
        few = counted()
    add(20)
    with count_queries() as counted:
        client.get("/audit/")
        assert counted() == few


def test_a_few_sentences_word_by_word(client, people, admin):
    pat = people.user("pat@example.org", name="Pat Kent")
    _add("sign_in", {"second_factor": "recovery code"}, admin, at=datetime(2026, 11, 3, 9))
    _add("role_change", {"user_id": pat.id, "old": "practitioner", "new": "agency_lead"}, admin, at=datetime(2026, 11, 3, 10))
    _add("export_completions", {"module": "police-protection", "agencies": "all", "from": "2026-04-01", "to": None},
         admin, at=datetime(2026, 11, 3, 11))
    _add("staff_import", {"file": "staff.csv", "created": 3, "updated": 1, "moved": 0}, None, at=datetime(2026, 11, 3, 12))
    texts = [_text(r) for r in _rows(client.get("/audit/").text)[1:5]]
    assert texts == [
        "3 Nov 2026 12:00:00 Someone not signed in imported a staff list (staff.csv): 3 new, 1 updated, 0 moved. 10.0.0.1",
        "3 Nov 2026 11:00:00 Adi Admin downloaded the e-learning completions of Police protection for every agency from 1 April 2026. 10.0.0.1",
        "3 Nov 2026 10:00:00 Adi Admin changed the role of Pat Kent from practitioner to agency training lead. 10.0.0.1",
        "3 Nov 2026 09:00:00 Adi Admin signed in with a recovery code. 10.0.0.1",
    ]
