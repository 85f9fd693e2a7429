"""The workbooks: what they contain, who may see what, and that no cell runs a formula."""
import io
import zipfile
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learning.compliance.insight import MIN_PEOPLE, first_answer_errors
from learning.extensions import db
from learning.models import AuditEvent, Role, utcnow
from tests.conftest import sign_in
from tests.journey import answer_all, start

SLUG = "police-protection"
SHEETS = ["Summary", "Trend", "Staff matrix", "Completions", "Coverage", "Misconceptions", "Impact", "About"]


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes, sheet_number: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(f"xl/worksheets/sheet{sheet_number}.xml").decode()


@pytest.fixture
def staff(people, records):
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A", name="Lee Lead")
    mine = people.user("mine@example.org", agency="Police A", name="Mina Mine")
    theirs = people.user("theirs@example.org", agency="Police B", name="Theo Theirs")
    records.completion(mine, SLUG, completed_at=utcnow() - timedelta(days=10))
    records.completion(theirs, SLUG, completed_at=utcnow() - timedelta(days=10))
    return lead, mine, theirs


def test_the_coordinators_workbook_has_every_sheet_and_every_agency(client, staff, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    response = client.get("/dashboard/compliance.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    wb = workbook(response.data)
    assert wb.sheetnames == SHEETS
    names = [row[0] for row in wb["Staff matrix"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert {"Mina Mine", "Theo Theirs", "Lee Lead"} <= set(names)
    summary = [row[0] for row in wb["Summary"].iter_rows(min_row=4, values_only=True)]
    assert "Police A" in summary and "Police B" in summary
    assert wb["Summary"]._charts, "the summary has a bar chart"


def test_a_leads_workbook_holds_their_agency_only(client, staff):
    lead, mine, theirs = staff
    sign_in(client, lead)
    data = client.get("/dashboard/compliance.xlsx").data
    wb = workbook(data)
    text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "Mina Mine" in text and "Theo Theirs" not in text and "Police B" not in text


def test_the_staff_matrix_uses_real_dates_frozen_headers_and_a_filter(client, staff, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    wb = workbook(client.get("/dashboard/compliance.xlsx").data)
    ws = wb["Staff matrix"]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    # Write-only sheets keep only panes set before their first row.
    assert (wb["Summary"].freeze_panes, wb["Trend"].freeze_panes, wb["Coverage"].freeze_panes) == ("B4", "B4", "C4")
    assert wb["Misconceptions"].freeze_panes is not None
    header = [c.value for c in ws[1]]
    column = header.index("Police protection: valid until") + 1
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Mina Mine")
    assert isinstance(row[column - 1].value, datetime) and row[column - 1].is_date
    assert row[column - 2].value == "In date"
    rules = {rule.formula[0]: rule.dxf.fill.fgColor.rgb for rng in ws.conditional_formatting for rule in rng.rules}
    assert rules['"In date"'].endswith("C6EFCE") and rules['"Expired"'].endswith("FFC7CE"), "statuses are colour-coded"


def test_formula_like_names_are_neutralised_in_the_saved_xml(client, people, records):
    evil = people.user("evil@example.org", name='=HYPERLINK("http://evil.example","Click")')
    people.user("plus@example.org", name="+44 7700 900000")
    people.user("at@example.org", name="@SUM(A1:A9)")
    people.user("tab@example.org", name="\tTabbed")
    records.completion(evil, SLUG, completed_at=utcnow())
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    data = client.get("/dashboard/compliance.xlsx").data
    for number in range(1, len(SHEETS) + 1):
        assert "<f>" not in sheet_xml(data, number), f"sheet {number} contains a formula"
    names = [r[0] for r in workbook(data)["Staff matrix"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert "'=HYPERLINK(\"http://evil.example\",\"Click\")" in names
    assert "'+44 7700 900000" in names and "'@SUM(A1:A9)" in names and "'\tTabbed" in names


def test_control_characters_are_stripped_instead_of_crashing(client, people):
    people.user("bell@example.org", name="Bell\x07 Ringer\x1b")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    response = client.get("/dashboard/compliance.xlsx")
    assert response.status_code == 200
    names = [r[0] for r in workbook(response.data)["Staff matrix"].iter_rows(min_row=2, values_only=True)]
    assert "Bell Ringer" in names


def test_every_export_writes_an_audit_event(client, staff, people, ctx):
    cora = people.user("cora@example.org", role=Role.COORDINATOR)
    sign_in(client, cora)
    client.get("/dashboard/compliance.xlsx")
    client.get(f"/dashboard/completions?module={SLUG}")
    actions = [(e.action, e.actor_email) for e in db.session.scalars(select(AuditEvent))]
    assert ("export_compliance", "cora@example.org") in actions
    assert ("export_completions", "cora@example.org") in actions


def test_the_completions_sheet_respects_the_date_range(client, people, records):
    pat = people.user("pat@example.org", name="Pat Early")
    sam = people.user("sam@example.org", name="Sam Late")
    records.completion(pat, SLUG, completed_at=datetime(2026, 1, 10, 9))
    records.completion(sam, SLUG, completed_at=datetime(2026, 3, 31, 23))
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    response = client.get(f"/dashboard/completions?module={SLUG}&start=1&start=3&start=2026&end=31&end=3&end=2026")
    names = [r[0] for r in workbook(response.data)["Completions"].iter_rows(min_row=5, values_only=True)]
    assert "Sam Late" in names and "Pat Early" not in names


@pytest.mark.parametrize("page", [f"/dashboard/completions?module={SLUG}&", "/courses/non-attendance?"])
def test_an_end_date_before_the_start_is_an_error_on_every_period_form(client, people, page):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    response = client.get(f"{page}start=2&start=3&start=2026&end=1&end=3&end=2026")
    assert response.mimetype == "text/html"
    assert "The end date must be the same as or after the start date" in response.get_data(as_text=True)


def test_cli_exports_write_workbooks(runner, staff, people, tmp_path):
    out = tmp_path / "c.xlsx"
    result = runner.invoke(args=["export", "compliance", "--out", str(out), "--agency", "Police A"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    names = [r[0] for r in wb["Staff matrix"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert "Mina Mine" in names and "Theo Theirs" not in names
    out2 = tmp_path / "p.xlsx"
    result = runner.invoke(args=["export", "completions", "--module", SLUG, "--out", str(out2)])
    assert result.exit_code == 0 and "2 completions" in result.output
    bad = runner.invoke(args=["export", "completions", "--module", "nope", "--out", str(out2)])
    assert bad.exit_code != 0 and "No module 'nope'" in bad.output


def test_the_misconception_figures_suppress_small_numbers(app, people):
    for i in range(MIN_PEOPLE + 1):
        user = people.user(f"p{i}@example.org", agency="Big")
        browser = app.test_client()
        from tests.conftest import sign_in as login

        login(browser, user)
        answer_all(browser, start(browser, SLUG), wrong=8)
    small = people.user("solo@example.org", agency="Small")
    browser = app.test_client()
    sign_in(browser, small)
    answer_all(browser, start(browser, SLUG), wrong=8)
    errors = first_answer_errors()
    big, tiny = people.agency("Big").id, people.agency("Small").id
    cells = [c for per in errors.values() for a, c in per.items() if a == big]
    assert cells and all(c.percent_wrong == 100 for c in cells if not c.suppressed)
    assert all(c.suppressed and c.percent_wrong is None for per in errors.values() for a, c in per.items() if a == tiny)


def test_the_coverage_sheet_counts_staff_trained_in_each_recommendation(client, staff, people, records):
    lead, mine, theirs = staff
    records.completion(theirs, "escalation", completed_at=utcnow() - timedelta(days=900),
                       expires_at=utcnow() - timedelta(days=1))  # expired: not counted
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    ws = workbook(client.get("/dashboard/compliance.xlsx").data)["Coverage"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    header = [c.value for c in ws[3]]
    police = rows["Raise awareness and understanding of police protection"]
    assert police[header.index("Police A")] == 1 and police[header.index("Police B")] == 1 and police[-1] == 2
    assert rows["Use escalation positively, to support creative conversations that improve practice"][-1] == 0


def test_every_export_runs_the_same_queries_for_5_or_40_staff(client, people, records, count_queries):
    """No export asks the database once per person: the statements are the same in number
    whatever the size of the workforce."""
    from learning.courses import bookings
    from learning.models import BookingStatus
    from tests.conftest import module_row

    course = bookings.create_course("Conference training", "", 24, [module_row(SLUG)])
    start_at = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    session = bookings.create_session(course, start_at, start_at + timedelta(hours=3), "Room 1", False, 100, "Ann")
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    first, last = utcnow().date() - timedelta(days=30), utcnow().date()
    days = f"start={first.day}&start={first.month}&start={first.year}&end={last.day}&end={last.month}&end={last.year}"
    urls = ["/dashboard/compliance.xlsx", f"/dashboard/completions?module={SLUG}",
            f"/courses/manage/sessions/{session.id}/sign-in-sheet.xlsx",
            f"/courses/manage/sessions/{session.id}/register.xlsx", f"/courses/non-attendance?{days}"]

    def add_staff(numbers):
        session.starts_at = start_at  # booking closes when a session starts
        db.session.commit()
        booked = []
        for i in numbers:
            person = people.user(f"p{i}@example.org", agency="Police A" if i % 2 else "Health B", name=f"Person {i}")
            records.completion(person, SLUG, completed_at=utcnow() - timedelta(days=i))
            booked.append(bookings.book(session, person))
        session.starts_at = utcnow() - timedelta(hours=4)
        db.session.commit()
        bookings.take_register(session, {b.id: BookingStatus.ABSENT if b.id % 3 else BookingStatus.ATTENDED
                                         for b in booked})

    def measure():
        counts = []
        for url in urls:
            with count_queries() as n:
                response = client.get(url)
                assert response.status_code == 200 and response.data[:2] == b"PK", url
                counts.append(n())
        return counts

    add_staff(range(5))
    small = measure()
    add_staff(range(5, 40))
    large = measure()
    # The compliance workbook is the largest: 18 queries, and 4 more for its Impact sheet.
    assert large == small and max(small) <= 24, (small, large)


def test_a_workbook_that_fails_to_build_is_not_recorded_as_exported(app, ctx):
    from learning.exports import send_workbook

    def fails_half_way(out):
        out.write(b"PK half a workbook")
        raise RuntimeError("an exporter failing half-way")

    with app.test_request_context(), pytest.raises(RuntimeError):
        send_workbook(fails_half_way, "export_compliance", {"agencies": "all"}, "compliance.xlsx")
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export_compliance")).all() == []


def test_a_workbook_is_sent_and_recorded_with_its_counts(app, ctx):
    from learning.exports import XLSX_MIME, send_workbook

    with app.test_request_context():
        response = send_workbook(lambda out: out.write(b"workbook") and {"people": 3}, "export_compliance",
                                 {"agencies": "all"}, "compliance.xlsx")
        response.direct_passthrough = False
        assert response.get_data() == b"workbook" and response.mimetype == XLSX_MIME
        assert "compliance.xlsx" in response.headers["Content-Disposition"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export_compliance")).one()
    assert "people" in event.detail and "all" in event.detail
