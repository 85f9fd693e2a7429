"""A failed attempt reads "Not passed" wherever a status appears: My learning, the person's
record, the dashboards (their own column and filter) and the compliance workbook."""
import io
import re

from openpyxl import load_workbook

from learning.models import Role
from tests.conftest import sign_in
from tests.journey import answer_all, start

SLUG = "police-protection"


def test_a_failed_module_is_not_passed_everywhere_a_status_appears(app, client, people):
    pat = people.user("pat@example.org", agency="Police A", name="Pat Fielding")
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    sign_in(client, pat)
    answer_all(client, start(client, SLUG), wrong=3)
    my_learning = client.get("/my-learning").get_data(as_text=True)
    police_row = next(row for row in my_learning.split("<tr") if "Police protection" in row)
    assert "Not passed" in police_row and "Not started" not in police_row

    leads = app.test_client()
    sign_in(leads, lead)
    record = leads.get(f"/people/{pat.id}").get_data(as_text=True)
    assert "Not passed" in next(row for row in record.split("<tr") if "Police protection" in row)
    agency = people.agency("Police A").id
    dashboard = leads.get(f"/dashboard/agencies/{agency}").get_data(as_text=True)
    assert '<option value="not_passed">Not passed</option>' in dashboard
    assert re.search(r"status=not_passed[^\"]*\">1<span", dashboard.replace("&amp;", "&"))
    listed = leads.get(f"/dashboard/staff?agency={agency}&status=not_passed").get_data(as_text=True)
    assert "Pat Fielding" in listed and "1 person;" in listed

    wb = load_workbook(io.BytesIO(leads.get("/dashboard/compliance.xlsx").data))
    matrix = next(row for row in wb["Staff matrix"].iter_rows(values_only=True) if row[0] == "Pat Fielding")
    assert "Not passed" in matrix
    rules = [rule for area in wb["Staff matrix"].conditional_formatting for rule in area.rules]
    assert any(rule.formula == ['"Not passed"'] and rule.dxf.fill.fgColor.rgb.endswith("F8CBAD") for rule in rules)
    key = {row[0].value: row[0] for row in wb["About"].iter_rows() if row and row[0].value}
    assert key["Not passed"].fill.fgColor.rgb.endswith("F8CBAD")
