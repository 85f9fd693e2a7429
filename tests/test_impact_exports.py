"""The impact figures in spreadsheets: the Impact sheet of the compliance workbook (figures
only) and `flask --app app export impact` (with examples, never names), both with method
and suppression notes."""
from __future__ import annotations

from openpyxl import load_workbook

from learning.models import Role
from tests.conftest import sign_in
from tests.test_impact_view import TITLE, trained


def _rows(ws) -> list[list]:
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def test_the_compliance_workbook_has_an_impact_sheet_with_figures_and_no_free_text(app, people, records, tmp_path):
    trained(people, records, 5, example="A private example", shared=True)
    trained(people, records, 4, agency="Other Health", prefix="o")
    client = app.test_client()
    sign_in(client, people.user("cat@example.org", Role.COORDINATOR, "Partnership"))
    response = client.get("/dashboard/compliance.xlsx")
    assert response.status_code == 200
    path = tmp_path / "c.xlsx"
    path.write_bytes(response.data)
    rows = _rows(load_workbook(path)["Impact"])
    police = next(r for r in rows if r[0] == TITLE and r[1] == "Test Police")
    assert police[2:7] == [5, 5, 2.0, 4.0, 2.0] and police[8] == 1
    health = next(r for r in rows if r[0] == TITLE and r[1] == "Other Health")
    assert health[3:6] == ["Fewer than 5"] * 3
    everyone = next(r for r in rows if r[0] == TITLE and r[1] == "All agencies")
    assert everyone[2:4] == [9, 9]
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "A private example" not in text and "fewer than 5 people are suppressed" in text


def test_export_impact_writes_figures_examples_without_names_and_notes(app, runner, people, records, tmp_path):
    trained(people, records, 5, example="I checked the plan", shared=False)
    out = tmp_path / "impact.xlsx"
    result = runner.invoke(args=["export", "impact", "--out", str(out), "--from", "2000-01-01", "--to", "2099-12-31"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["Impact", "Examples", "About impact"]
    examples = " ".join(str(v) for r in _rows(wb["Examples"]) for v in r if v)
    assert "I checked the plan" in examples and "P0" not in examples and "@example.org" not in examples
    about = " ".join(str(v) for r in _rows(wb["About impact"]) for v in r if v)
    assert "From 1 January 2000 to 31 December 2099." in about and "Suppression" in about
    bad = runner.invoke(args=["export", "impact", "--out", str(out), "--from", "2026-02-01", "--to", "2026-01-01"])
    assert bad.exit_code != 0 and "The end date must be the same as or after the start date" in bad.output


def test_the_board_pack_has_an_impact_page_with_hidden_small_figures(app, runner, people, records, tmp_path):
    from pypdf import PdfReader

    trained(people, records, 5)
    out = tmp_path / "pack.pdf"
    result = runner.invoke(args=["export", "board-pack", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Learning into practice" in text and "2.0 to 4.0 (5 people)" in text
    assert "Figures from fewer than 5 people are not shown." in " ".join(text.split())
