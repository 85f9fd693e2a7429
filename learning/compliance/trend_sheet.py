"""The compliance workbook's Trend sheet: compliance per module at the end of each of the
last twelve months, from the daily snapshots (learning/compliance/trend.py), with a native
line chart of the same cells."""
from __future__ import annotations

from datetime import datetime

from openpyxl.chart import LineChart, Reference

from learning.compliance import Scope
from learning.compliance.trend import month_label, monthly
from learning.exports.cells import TITLE, cell, chart_text, heading_row, print_setup


def trend_sheet(wb, scope: Scope, now: datetime) -> None:
    """Percentage compliant per module at the end of each of the last twelve months (from
    the daily snapshots), a row per month, with a native line chart of the same cells."""
    ws = wb.create_sheet("Trend")
    trend = monthly(scope.agency_ids, now.date())
    lines = trend.lines
    print_setup(ws, "Trend", [14, *[18] * len(lines)], title_rows="3:3", title_columns="A:A", landscape=True)
    ws.freeze_panes = "B4"  # a write-only sheet writes its panes before the first row
    ws.append([cell(ws, "Percentage of required staff compliant at the end of each month, by module", font=TITLE)])
    if trend.empty:
        ws.append([cell(ws, "No daily figures have been kept yet: they start with the first daily snapshot.")])
        return
    ws.append([cell(ws, "From the figures kept each day; a blank is a month with none kept. The same agencies as the first sheet.")])
    ws.append(heading_row(ws, 3, ["Month", *[line.title for line in lines]]))
    for index, month in enumerate(trend.months):
        percents = [line.percents[index] for line in lines]
        ws.append([cell(ws, month_label(month)),
                   *[cell(ws, p / 100 if p is not None else None, number_format="0%") for p in percents]])
    last_row = 3 + len(trend.months)
    chart = LineChart()
    chart.title = "Staff compliant by module, end of each month"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(lines), min_row=3, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=last_row))
    chart.x_axis.txPr = chart.y_axis.txPr = chart_text(1100)
    if chart.legend is not None:
        chart.legend.position = "b"
        chart.legend.txPr = chart_text(1100)
    chart.height, chart.width = 12, 24
    ws.add_chart(chart, f"A{last_row + 3}")
