"""An agency training lead's journey in a real browser: the dashboard, a filter, and the
compliance workbook, which the test opens with openpyxl. Every page is scanned with axe."""
import openpyxl
import pytest

from tests.browser.conftest import VIEWPORTS
from tests.browser.pages import navigate, sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("variant", VIEWPORTS)
def test_dashboard_filter_and_workbook(visit, variant, tmp_path):
    tab = visit(variant)
    sign_in(tab, "lead@example.org", scan_as=None)
    navigate(tab, "Dashboard")
    assert tab.heading() == "Northbrook Police"
    tab.scan("dashboard-agency")

    tab.select("Status", "Expired")
    tab.press("Apply filters")
    assert "status=expired" in tab.page.url
    shown = [name.strip() for name in tab.page.locator("#staff ~ div table tbody th a").all_inner_texts()]
    assert shown, "the demo data has expired learning in Northbrook Police"
    tab.scan("dashboard-agency", "filtered")

    # The workbook follows the filters, and holds this agency's staff only.
    workbook = openpyxl.load_workbook(tab.download("Download the compliance workbook", tmp_path), read_only=True)
    assert {"Summary", "Staff matrix", "Completions"} <= set(workbook.sheetnames)
    rows = [[str(c) if c is not None else "" for c in row] for row in workbook["Staff matrix"].iter_rows(values_only=True)]
    in_workbook = {row[0] for row in rows if row}
    assert set(shown) <= in_workbook, set(shown) - in_workbook
    assert not any("Hospitals" in cell for row in rows for cell in row)
    sign_out(tab)
