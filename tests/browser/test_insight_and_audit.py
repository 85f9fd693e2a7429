"""In a real browser at 1280 and 320 px (issue 17): "Questions staff get wrong" for the
partnership and for a lead, one question's agencies; the audit trail in sentences and its
download; the manage-session page's booked list stacked on a phone with Remove in reach.
Every page is scanned with axe (and for sideways scrolling); screenshots in tests/screenshots."""
import re
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

# No sideways scroll inside a scroll region, and nothing visible past the window's right edge.
INNER_OVERFLOW = """() => [...document.querySelectorAll('main .app-table-scroll')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .concat([...document.querySelectorAll('main *')].filter(e => {
        const r = e.getBoundingClientRect(); return r.width > 1 && r.right > window.innerWidth + 1; }))
    .map(e => e.outerHTML.slice(0, 100))"""


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_questions_staff_get_wrong(visit, variant):
    tab = visit(variant)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.go("/dashboard/misconceptions")
    assert tab.heading() == "Questions staff get wrong"
    assert "all agencies together" in tab.text() and "Figures from fewer than 5 people are not shown" in tab.text()
    assert tab.page.locator("main tbody tr").count() == 20
    assert tab.page.locator(".govuk-pagination").count() == 1
    assert tab.page.evaluate(INNER_OVERFLOW) == []
    tab.scan("misconceptions")
    module = tab.site.content("police-protection").title
    tab.select("Module", module)
    tab.select("Sort by", "Most people answered")
    tab.press("Show questions")
    assert f"{module}, all agencies together: most people answered" in tab.text()
    people = [int(n) for n in re.findall(r"^\d+$", "\n".join(
        tab.page.locator("main tbody tr td:nth-child(2)").all_inner_texts()), re.M)]
    assert people == sorted(people, reverse=True)
    tab.scan("misconceptions", "filtered")
    tab.page.locator("main tbody tr a").first.click()
    assert "By agency" in tab.text() and "Right answer" in tab.text()
    assert tab.page.evaluate(INNER_OVERFLOW) == []
    tab.scan("misconception")

    lead = visit(variant, "questions_staff_get_wrong_lead")
    sign_in(lead, "lead@example.org", scan_as=None)
    lead.go("/dashboard/misconceptions")
    assert "Northbrook Police" in lead.text() and lead.page.get_by_label("Agency", exact=True).count() == 0
    lead.scan("misconceptions", "lead")


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_the_audit_trail_reads_as_sentences_and_downloads(visit, variant, tmp_path):
    tab = visit(variant)
    sign_in(tab, "admin@example.org", scan_as=None)
    tab.go("/audit/")
    rows = tab.page.locator("main tbody tr").all_inner_texts()
    assert any("Adi Shah signed in" in r for r in rows), rows[:5]
    assert not [r for r in rows if re.search(r"\b[a-z]+_[a-z_]+\b|user id|session: \d", r)], rows
    assert tab.page.evaluate(INNER_OVERFLOW) == []
    tab.scan("audit")
    tab.follow("Download the audit trail for a date range")
    tab.scan("audit-download")
    tab.press("Download workbook")
    assert "Enter the 'From' date" in tab.text()
    tab.scan("audit-download", "error")
    from datetime import date

    today = date.today()
    for group, day in (("start", today - timedelta(days=7)), ("end", today)):
        fields = tab.page.locator(f'input[name="{group}"]')
        for index, value in enumerate((day.day, day.month, day.year)):
            fields.nth(index).fill(str(value))
    saved = tab.download("Download workbook", tmp_path)
    ws = load_workbook(saved)["Audit trail"]
    assert [c.value for c in ws[4]][:3] == ["When (UTC)", "Who", "What happened"]
    assert any("signed in" in (r[2] or "") for r in ws.iter_rows(min_row=5, values_only=True))
    tab.go("/audit/")
    assert "Adi Shah downloaded the audit trail from" in tab.page.locator("main tbody tr").first.inner_text()
    tab.scan("audit", "after-download")


def _session_with_bookings(site) -> int:
    from learning.courses import bookings
    from learning.models import Module, User, utcnow

    with site.db() as session:
        module = session.query(Module).order_by(Module.id).first()
        course = bookings.create_course(f"Stacked on a phone {uuid.uuid4().hex[:6]}", "", 24, [module])
        starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=20)
        upcoming = bookings.create_session(course, starts, starts + timedelta(hours=3), "Room 2", False, 1, "")
        for email in ("practitioner@example.org", "lead@example.org"):  # one booked, one waiting
            bookings.book(upcoming, session.query(User).filter_by(email=email).one())
        session.commit()
        return upcoming.id


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_the_booked_list_fits_a_phone(visit, variant):
    tab = visit(variant)
    session_id = _session_with_bookings(tab.site)
    sign_in(tab, "coordinator@example.org", scan_as=None)
    tab.go(f"/courses/manage/sessions/{session_id}")
    assert tab.page.evaluate(INNER_OVERFLOW) == []
    for button in tab.page.get_by_role("button", name=re.compile("^(Remove|Give a place)")).all():
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= variant.width, box
    # Stacked on a phone (each cell a block, under its column's name), a table on a desktop.
    display = tab.page.evaluate("getComputedStyle(document.querySelector('main td[data-label]')).display")
    assert display == ("block" if variant.width < 641 else "table-cell")
    tab.scan("manage-session", "stacked")
    tab.press("Remove the booking of Pat Fielding")
    assert "Pat Fielding" not in tab.page.locator("main table").first.inner_text()
