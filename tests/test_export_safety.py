"""Every exporter in the registry, fed hostile text, writes no formula and no control
character: checked in the XML inside the saved file, not through openpyxl's reading."""
import io
import re
import zipfile
from datetime import date, timedelta

import pytest

from learning.compliance import Scope
from learning.courses import bookings
from learning.exports import EXPORTERS
from learning.extensions import db
from learning.models import BookingStatus, utcnow
from tests.conftest import module_row

HOSTILE = '=HYPERLINK("http://evil.example","x")\x07'
JOB = "+1 tab\x1bbed"


@pytest.fixture
def hostile(people, records):
    user = people.user("evil@example.org", name=HOSTILE, agency="-Agency")
    user.job_title = JOB
    db.session.commit()
    records.completion(user, "police-protection", completed_at=utcnow() - timedelta(days=5))
    course = bookings.create_course("@Course", "", 24, [module_row("escalation")])
    start = utcnow() + timedelta(days=1)
    session = bookings.create_session(course, start, start + timedelta(hours=2), "=Venue", False, 5, "@Trainer")
    booking = bookings.book(session, user)
    session.starts_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    bookings.take_register(session, {booking.id: BookingStatus.ABSENT})
    return user, session


def build_all(user, session) -> dict[str, bytes]:
    today = date.today()
    calls = {
        "compliance": lambda out: EXPORTERS["compliance"].build(out, Scope(), "=admin", 60),
        "completions": lambda out: EXPORTERS["completions"].build(out, module_row("police-protection"), None,
                                                                   None, None, "=admin"),
        "attendance": lambda out: EXPORTERS["attendance"].build(out, session, register=True),
        "non-attendance": lambda out: EXPORTERS["non-attendance"].build(
            out, bookings.non_attendance(None, today - timedelta(days=1), today + timedelta(days=1)),
            today - timedelta(days=1), today + timedelta(days=1)),
        "subject-access": lambda out: EXPORTERS["subject-access"].build(out, user, "=admin"),
    }
    assert set(calls) == set(EXPORTERS), "a new exporter needs a line here"
    files = {}
    for name, call in calls.items():
        out = io.BytesIO()
        call(out)
        files[name] = out.getvalue()
    return files


def test_no_export_holds_a_formula_or_a_control_character(hostile):
    files = build_all(*hostile)
    for name, data in files.items():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = "".join(z.read(n).decode() for n in z.namelist()
                          if n.startswith("xl/worksheets/sheet") or n == "xl/sharedStrings.xml")
        assert "<f>" not in xml and "<f " not in xml, f"{name} contains a formula"
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", xml), f"{name} contains a control character"
        assert "'=HYPERLINK" in xml or "&apos;=HYPERLINK" in xml, f"{name} lost the neutralised name"
        for raw in ('>=HYPERLINK', '>+1 tab', '>-Agency', '>@Course', '>=Venue'):
            assert raw not in xml, f"{name} wrote {raw[1:]!r} without neutralising it"


# Characters XML 1.0 forbids (or openpyxl refuses) that a database will still store: stored
# before the rule for text applied on the way in, they made every workbook holding them a 500.
NONCHARACTERS = "\ufffe\uffff\U0010ffff\ufdd0\x0b"


@pytest.fixture
def stored_before_the_rule(people, records, hostile):
    from learning.models import ExternalRecord, Team

    user, session = hostile
    agency = people.agency("-Agency")
    team = Team(agency_id=agency.id, name=f"Front{NONCHARACTERS} Door")
    db.session.add(team)
    db.session.flush()
    user.name, user.job_title, user.team_id = f"Zoë{NONCHARACTERS} Okafor", f"Social{NONCHARACTERS} worker", team.id
    agency.name = f"North{NONCHARACTERS} Police"
    session.venue, session.trainer = f"Hall{NONCHARACTERS} 2", f"Ada{NONCHARACTERS} Lee"
    session.course.title = f"Neglect{NONCHARACTERS} day"
    db.session.add(ExternalRecord(user_id=user.id, title=f"Course{NONCHARACTERS} elsewhere",
                                  provider=f"Provider{NONCHARACTERS}", completed_on=date.today(),
                                  evidence_note=f"Note{NONCHARACTERS}"))
    db.session.commit()
    return user, session


def test_text_stored_before_the_rule_still_exports_and_every_workbook_opens(stored_before_the_rule):
    import openpyxl

    from learning.courses import attendance_sheet

    files = build_all(*stored_before_the_rule)
    sign_in_sheet = io.BytesIO()
    attendance_sheet.build(sign_in_sheet, stored_before_the_rule[1], register=False)
    files["sign-in sheet"] = sign_in_sheet.getvalue()
    for name, data in files.items():
        book = openpyxl.load_workbook(io.BytesIO(data))
        values = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
        everything = "\n".join(values)
        assert not any(ch in everything for ch in NONCHARACTERS), name
        if name != "attendance" and name != "sign-in sheet":
            assert "Zoë Okafor" in everything, f"{name} lost the name"
    assert "Hall 2" in "\n".join(str(c) for ws in openpyxl.load_workbook(io.BytesIO(files["attendance"])).worksheets
                                 for row in ws.iter_rows(values_only=True) for c in row if c)
