"""Figures that say people count people: the agency dashboard's "compliant with all required
learning" (each figure opens exactly that many staff) and the workbook Summary's people
columns, beside the share of person-module pairs, which is labelled as pairs."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from learning.compliance import required_modules
from learning.models import Role, utcnow
from tests.conftest import sign_in


def _agency(people, records):
    """Police A: Ann has every required module in date; Bo has one expired and the rest not
    started; Cy has nothing. Police B: Di has every required module in date."""
    ann = people.user("ann@example.org", agency="Police A", name="Ann Able")
    bo = people.user("bo@example.org", agency="Police A", name="Bo Bright")
    people.user("cy@example.org", agency="Police A", name="Cy Clark")
    di = people.user("di@example.org", agency="Police B", name="Di Dean")
    modules = required_modules((people.agency("Police A").id,))
    assert len(modules) > 1
    for m in modules:
        records.completion(ann, m.slug, completed_at=utcnow() - timedelta(days=10))
        records.completion(di, m.slug, completed_at=utcnow() - timedelta(days=10))
    records.completion(bo, modules[0].slug, completed_at=utcnow() - timedelta(days=2000))
    return modules


def _figure(page: str, label_end: str) -> tuple[int, str]:
    """The number a figure's link shows, and where it goes."""
    match = re.search(r'<a class="govuk-link" href="([^"]+)">(\d+)<span class="govuk-visually-hidden"> '
                      + re.escape(label_end), page)
    assert match, label_end
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


def test_the_agency_dashboard_counts_people_and_each_figure_opens_that_many(client, people, records):
    _agency(people, records)
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A", name="Lee Lead")
    sign_in(client, lead)
    page = client.get(f"/dashboard/agencies/{people.agency('Police A').id}").get_data(as_text=True)
    assert "Compliant with all required learning" in page
    for label, expected in [("staff compliant with all their required learning", 1), ("staff with a module expired", 1),
                            ("staff with a module not started", 3), ("staff in Police A", 4)]:
        shown, link = _figure(page, label)
        assert shown == expected, label
        listed = client.get(link).get_data(as_text=True)
        assert len(re.findall(r'<th scope="row" class="govuk-table__header app-matrix__name">', listed)) == shown, label
    assert "of 4 (25%)" in page, "Lee has no required learning either: four staff, one compliant"


def test_the_workbook_summary_counts_people_compliant_with_all_their_learning(client, people, records):
    modules = _agency(people, records)
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, agency="Police B"))
    wb = load_workbook(io.BytesIO(client.get("/dashboard/compliance.xlsx").data))
    rows = list(wb["Summary"].iter_rows(min_row=3, values_only=True))
    header = rows[0]
    assert header[2 + len(modules)] == "All modules (person-module pairs)"
    people_col = header.index("People compliant with all required learning")
    share_col = header.index("% of people compliant with all required learning")
    police_a = next(r for r in rows if r[0] == "Police A")
    police_b = next(r for r in rows if r[0] == "Police B")
    assert (police_a[1], police_a[people_col], police_a[share_col]) == (3, 1, 1 / 3)
    assert (police_b[1], police_b[people_col], police_b[share_col]) == (1, 1, 1), "a coordinator is not counted"
    total = next(r for r in rows if r[0] == "All agencies in this workbook")
    assert (total[people_col], total[share_col]) == (2, 2 / 4)
