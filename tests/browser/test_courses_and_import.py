"""A coordinator's journeys in a real browser (issue 6): importing a staff file (with a row
error first), adding a course session and downloading its sign-in sheet, and changing the
register of a past session and downloading it. Both downloads are opened with openpyxl.
Every page on the way is scanned with axe."""
import uuid
from datetime import date, timedelta

import openpyxl
import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import navigate, sign_in, sign_out

pytestmark = pytest.mark.browser

COURSE = "Child protection conference training"
ATTENDANCE = {"Attended", "Did not attend", "Cancelled late"}


def _staff_file(folder, rows, name="staff.csv"):
    path = folder / name
    lines = ["name,email,job title,team,agency"] + [",".join(row) for row in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _rows(sheet):
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_import_staff(visit, variant, tmp_path):
    tag = uuid.uuid4().hex[:6]
    good = [
        (f"Import One {tag}", f"import.one.{tag}@example.org", "Police constable", "", "Northbrook Police"),
        (f"Import Two {tag}", f"import.two.{tag}@example.org", "Detective sergeant", "", "Northbrook Police"),
    ]
    bad = (f"Import Bad {tag}", "not-an-email-address", "Police constable", "", "Northbrook Police")

    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    navigate(tab, "People")
    assert tab.heading() == "People"
    tab.follow("Import staff from a file")
    assert tab.heading() == "Import staff"
    assert tab.page.url.endswith("/import-staff")
    tab.scan("import-upload")

    # A file with one bad row: the preview lists it, with its error, and offers no import.
    tab.page.get_by_label("Upload a file", exact=True).set_input_files(_staff_file(tmp_path, good + [bad], "bad.csv"))
    tab.press("Upload and check")
    assert tab.heading() == "Check the staff file"
    assert tab.title.startswith("Error: ")
    summary = tab.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "There is a problem with row 4" in summary.inner_text()
    row = tab.page.locator("#row-4").locator("xpath=..")
    assert row.locator(".govuk-error-message").count() >= 1
    assert tab.page.get_by_role("button", name="Import 3 rows").count() == 0
    tab.scan("import-preview", "error")

    # A good file: the preview, then the import, and an invitation emailed to each new person.
    tab.follow("Upload a different file")
    assert tab.heading() == "Import staff"
    tab.page.get_by_label("Upload a file", exact=True).set_input_files(_staff_file(tmp_path, good, "good.csv"))
    tab.press("Upload and check")
    assert tab.heading() == "Check the staff file"
    assert not tab.title.startswith("Error: ")
    assert "good.csv" in tab.page.locator(".govuk-caption-l").inner_text()
    table = tab.page.locator("table").last.inner_text()
    for name, *_ in good:
        assert name in table
    tab.scan("import-preview")
    tab.press("Import 2 rows")
    assert tab.heading() == "Staff imported"
    assert "2 new" in tab.page.locator(".govuk-panel").inner_text()
    assert "We emailed 2 people an invitation" in tab.page.locator("#invitations-sent").inner_text()
    for _name, email, *_ in good:
        assert len(tab.site.outbox_links(email, "/set-password/")) == 1
    tab.scan("import-done")
    sign_out(tab)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_add_a_session(visit, variant, tmp_path):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    navigate(tab, "Manage courses")
    assert tab.heading() == "Manage courses"
    tab.scan("manage-courses")
    tab.follow(COURSE)
    assert tab.heading() == COURSE
    tab.scan("course")
    tab.follow("Add a session")
    assert tab.heading() == "Add a session"
    tab.scan("session-new")

    day = date.today() + timedelta(days=30)
    tab.fill("Day", str(day.day))
    tab.fill("Month", str(day.month))
    tab.fill("Year", str(day.year))
    tab.fill("Start time", "09:30")
    tab.fill("End time", "12:30")
    tab.fill("Venue or joining details", "Room 4, Northbrook Library")
    tab.fill("Places", "10")
    tab.press("Add session")
    assert tab.heading() == f"{day.day} {day.strftime('%B %Y')}, 09:30"
    assert "The session has been added" in tab.page.locator(".govuk-notification-banner").inner_text()
    assert "Room 4, Northbrook Library" in tab.text()
    assert "0 of 10 places taken" in tab.text()
    tab.scan("manage-session", "added")

    workbook = openpyxl.load_workbook(tab.download("Download the sign-in sheet", tmp_path), read_only=True)
    assert "Sign-in sheet" in workbook.sheetnames
    rows = _rows(workbook["Sign-in sheet"])
    assert ["No.", "Name", "Agency", "Job title", "Signature"] in [list(r[:5]) for r in rows]
    assert COURSE in [r[0] for r in rows if r]
    workbook.close()
    sign_out(tab)


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_change_the_register(visit, variant, tmp_path):
    from learning.models import Course

    tab = visit(variant)
    with tab.site.db() as session:
        course = session.query(Course).filter_by(title=COURSE).one()
        past = course.sessions[0]
        when = past.starts_at.strftime("%-d %B %Y, %H:%M")
    sign_in(tab, "coordinator@example.org", scan_as=None)
    navigate(tab, "Manage courses")
    tab.follow(COURSE)
    assert tab.heading() == COURSE
    tab.follow(when)
    assert tab.heading() == when
    tab.scan("manage-session", "past")

    tab.follow("Change the register")
    assert tab.heading() == "Take the register"
    tab.scan("register")
    groups = tab.page.locator("fieldset .govuk-radios")
    assert groups.count() == 6
    names = sorted({n for n in tab.page.locator('input[type="radio"]').evaluate_all("els => els.map(e => e.name)")})
    for name in names:
        checked = tab.page.locator(f'input[name="{name}"]:checked')
        value = checked.get_attribute("value") if checked.count() else "attended"
        tab.choose(value, name=name)
    tab.press("Save the register")
    assert tab.heading() == when
    assert "The register has been saved" in tab.page.locator(".govuk-notification-banner").inner_text()
    tab.scan("manage-session", "register-saved")

    workbook = openpyxl.load_workbook(tab.download("Download the register", tmp_path), read_only=True)
    assert "Register" in workbook.sheetnames
    rows = _rows(workbook["Register"])
    header = ["No.", "Name", "Agency", "Job title", "Attendance"]
    at = [list(r[:5]) for r in rows].index(header)
    people = [r for r in rows[at + 1:] if r and r[0]]
    assert len(people) == 6
    assert all(r[1] for r in people)
    assert {r[4] for r in people} <= ATTENDANCE
    assert "Attended" in {r[4] for r in people}
    workbook.close()
    sign_out(tab)
