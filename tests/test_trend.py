"""Compliance over time: the daily snapshot, the monthly trend read back from it, the
dashboards' charts with their table, and the workbook's Trend sheet."""
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from learning.compliance import Scope, figures_by
from learning.compliance.status import Status
from learning.compliance.trend import Line, demo_history, month_starts, monthly, svg, take_snapshot
from learning.extensions import db
from learning.models import ComplianceSnapshot, Role, utcnow
from tests.conftest import module_row, sign_in

SLUG = "police-protection"


def kept(day: date) -> dict[tuple[int, int, str], int]:
    rows = db.session.execute(select(ComplianceSnapshot.agency_id, ComplianceSnapshot.module_id,
                                     ComplianceSnapshot.status, ComplianceSnapshot.people)
                              .where(ComplianceSnapshot.day == day)).all()
    return {(a, m, s): p for a, m, s, p in rows}


def snapshot_row(day, agency, slug, status, people):
    db.session.add(ComplianceSnapshot(day=day, agency_id=agency.id, module_id=module_row(slug).id,
                                      status=status.value, people=people))


def test_a_snapshot_keeps_the_dashboards_counts_and_replaces_them_when_run_again(people, records):
    done = people.user("done@example.org", agency="Police A")
    people.user("not@example.org", agency="Police A")
    records.completion(done, SLUG, completed_at=utcnow() - timedelta(days=3))
    today = utcnow().date()
    take_snapshot()
    first = kept(today)
    expected = {(a, m, s.value): n for (a, m), f in figures_by(Scope(), by_agency=True).items()
                for s, n in f.counts.items() if n}
    assert first == expected
    agency = people.agency("Police A").id
    assert first[(agency, module_row(SLUG).id, Status.IN_DATE.value)] == 1
    assert first[(agency, module_row(SLUG).id, Status.NOT_STARTED.value)] == 1
    take_snapshot()
    assert kept(today) == first  # replaced, not added twice


def test_the_snapshot_command_keeps_todays_figures(runner, people):
    people.user()
    result = runner.invoke(args=["snapshot"])
    assert result.exit_code == 0, result.output
    assert "compliance figures for today" in result.output
    assert db.session.scalar(select(func.count()).select_from(ComplianceSnapshot)
                             .where(ComplianceSnapshot.day == utcnow().date())) > 0


def test_the_trend_takes_the_last_snapshot_of_each_month_and_leaves_months_without_one_blank(people):
    police, health = people.agency("Police A"), people.agency("Health B")
    today = date(2026, 12, 5)
    snapshot_row(date(2026, 10, 2), police, SLUG, Status.IN_DATE, 1)  # superseded by the 31st
    snapshot_row(date(2026, 10, 2), police, SLUG, Status.NOT_STARTED, 9)
    snapshot_row(date(2026, 10, 31), police, SLUG, Status.IN_DATE, 5)
    snapshot_row(date(2026, 10, 31), police, SLUG, Status.EXPIRED, 5)
    snapshot_row(date(2026, 12, 5), police, SLUG, Status.EXPIRING, 9)
    snapshot_row(date(2026, 12, 5), police, SLUG, Status.EXPIRED, 1)
    snapshot_row(date(2026, 12, 5), health, SLUG, Status.NOT_STARTED, 10)
    snapshot_row(date(2025, 11, 30), police, SLUG, Status.IN_DATE, 10)  # thirteen months ago: left out
    db.session.commit()
    trend = monthly(None, today)
    assert trend.months == month_starts(today) and trend.months[0] == date(2026, 1, 1)
    (line,) = trend.lines
    assert line.percents == [None] * 9 + [50, None, 45]
    assert line.change == -5
    assert monthly((police.id,), today).lines[0].percents[-3:] == [50, None, 90]


def test_the_partnership_dashboard_shows_each_modules_trend_as_a_chart_and_a_table(client, people, records):
    for email in ("p@example.org", "q@example.org"):  # two, so that half of them is a whole person
        records.completion(people.user(email, agency="Police A"), SLUG, completed_at=utcnow() - timedelta(days=3))
    demo_history()
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR))
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "Compliance over the last 12 months" in html
    chart = html[html.index('<svg class="app-trend-chart"'):]
    chart = chart[:chart.index("</svg>")]
    assert 'role="img"' in chart and "<polyline" in chart
    title = module_row(SLUG).title
    assert f"{title}: 50% compliant in " in chart and "100% in " in chart and "(up 50 points)" in chart
    assert "Percentage compliant at the end of each month" in html  # the table alternative
    assert "<script" not in chart


def test_an_agency_dashboard_shows_its_own_agencys_trend(client, people, records):
    mine = people.user("mine@example.org", agency="Police A")
    people.user("theirs@example.org", agency="Police B")
    records.completion(mine, SLUG, completed_at=utcnow() - timedelta(days=3))
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A")
    take_snapshot()
    sign_in(client, lead)
    html = client.get(f"/dashboard/agencies/{lead.agency_id}").get_data(as_text=True)
    # Police A: one of two (the lead counts as staff) compliant; Police B's 0% not mixed in.
    assert f"{module_row(SLUG).title}: 50% compliant in " in html


def test_a_chart_escapes_its_title_and_breaks_its_line_where_a_month_has_no_figures():
    months = month_starts(date(2026, 12, 5), 4)
    drawing = svg(Line(1, "<b>Module</b>", [10, None, 30, 40]), months, "c1")
    assert "<b>" not in drawing and "&lt;b&gt;Module&lt;/b&gt;" in drawing
    assert drawing.count("<polyline") == 1 and drawing.count("<circle") == 3


def test_the_compliance_workbook_has_a_trend_sheet_with_a_line_chart(people, records):
    from learning.compliance import compliance_workbook

    for email in ("p@example.org", "q@example.org"):
        records.completion(people.user(email), SLUG, completed_at=utcnow() - timedelta(days=3))
    demo_history()
    out = io.BytesIO()
    compliance_workbook.build(out, Scope(), "Cora", 60)
    ws = load_workbook(io.BytesIO(out.getvalue()))["Trend"]
    assert ws["A3"].value == "Month" and ws["B3"].value == module_row(SLUG).title
    assert ws["A15"].value == f"{utcnow():%b %Y}" and ws["B15"].value == 1
    assert ws["B4"].value == 0.5 and ws["B4"].number_format == "0%"
    assert len(ws._charts) == 1 and ws._charts[0].tagname == "lineChart"
