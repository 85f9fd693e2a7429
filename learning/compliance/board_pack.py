"""The board pack: a short PDF for a partnership board, from the same figures as the
dashboards (compliance.partnership_figures / figures_by and trend.monthly).

Cover; headline figures; compliance over the last twelve months (a line chart and the
figures); compliance by agency and module; notes on method. Made with fpdf2, a kept
library that needs nothing outside Python."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from fpdf import FPDF
from fpdf.fonts import FontFace

from learning.compliance import Scope, figures_by, headcount, lookups, required_modules
from learning.exports.cells import produced_on
from learning.models import utcnow
from learning.compliance.status import Status
from learning.compliance.trend import Trend, month_label, monthly
from learning.impact.board_page import impact_page
from learning.impact.service import figures as impact_figures

FONTS = Path("/usr/share/fonts/truetype/dejavu")
BLUE, GREY, BLACK = (29, 112, 184), (177, 180, 182), (11, 12, 12)


class Pack(FPDF):
    def __init__(self, partnership: str, marking: str, produced: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.partnership, self.marking, self.produced = partnership, marking, produced
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(True, margin=20)
        if (FONTS / "DejaVuSans.ttf").exists():
            self.add_font("Body", "", str(FONTS / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
            self.family = "Body"
        else:  # the core font holds Latin-1 only
            self.family = "Helvetica"
        self.alias_nb_pages()

    def text_of(self, value: str) -> str:
        if self.family == "Helvetica":
            return value.encode("latin-1", "replace").decode("latin-1")
        return value

    def header(self):
        self.set_font(self.family, "", 9)
        self.set_text_color(*BLACK)
        self.cell(0, 5, self.text_of(self.partnership), align="L")
        self.set_x(self.l_margin)
        self.set_font(self.family, "B", 9)
        self.cell(0, 5, self.text_of(self.marking), align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.family, "", 9)
        self.cell(0, 5, f"Produced {self.produced}", align="L")
        self.set_x(self.l_margin)
        self.set_font(self.family, "B", 9)
        self.cell(0, 5, self.text_of(self.marking), align="C")
        self.set_x(self.l_margin)
        self.set_font(self.family, "", 9)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def heading(self, text: str, size: int = 16):
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: int = 11):
        self.set_font(self.family, "", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)


def build(out: BinaryIO | str, agency_ids: tuple[int, ...] | None = None, now: datetime | None = None) -> dict:
    """Write the board pack to `out` (a path or a binary file); return counts for the audit trail."""
    now = now or utcnow()
    config = current_app.config
    agencies, _, _ = lookups()
    pdf = Pack(config["PARTNERSHIP_NAME"], config.get("PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE"), produced_on(now))
    scope = Scope(agency_ids=agency_ids)
    modules = required_modules(agency_ids)
    by_agency = figures_by(scope, by_agency=True, now=now)
    heads = headcount(scope)
    trend = monthly(agency_ids, now.date())
    covers = "Every agency" if agency_ids is None else ", ".join(agencies.get(a, str(a)) for a in agency_ids)

    _cover(pdf, covers)
    _headlines(pdf, by_agency, heads, trend)
    _trend(pdf, trend)
    _by_agency(pdf, agencies, modules, by_agency, heads)
    impact_page(pdf, impact_figures(agency_ids, "none"))
    _method(pdf)
    pdf.output(out)
    return {"pages": pdf.page_no(), "agencies": len(heads)}


def _cover(pdf: Pack, covers: str) -> None:
    pdf.add_page()
    pdf.ln(50)
    pdf.heading("Safeguarding learning: board pack", 24)
    pdf.para(pdf.partnership, 14)
    pdf.para(f"Produced {pdf.produced}. Covers: {covers}.", 12)
    pdf.ln(10)
    pdf.para("Compliance with required safeguarding learning, how it has changed over the last twelve months, "
             "and how each agency stands today.", 12)


def _headlines(pdf: Pack, by_agency, heads, trend: Trend) -> None:
    pdf.add_page()
    pdf.heading("Headline figures")
    counts = {s: sum(f.counts[s] for f in by_agency.values()) for s in Status}
    required = sum(counts.values())
    compliant = counts[Status.IN_DATE] + counts[Status.EXPIRING]
    percent = round(100 * compliant / required) if required else 0
    rows = [("Staff counted", f"{sum(heads.values()):,}"),
            ("Required learning compliant (in date or expiring)", f"{percent}%" if required else "None required"),
            *[(s.label, f"{counts[s]:,}") for s in Status]]
    changes = [line.change for line in trend.lines if line.change is not None]
    if changes:
        rows.append(("Modules that improved over the last twelve months", f"{sum(c > 0 for c in changes)} of {len(changes)}"))
    _table(pdf, ["Measure", "Figure"], rows, widths=(130, 44))


def _trend(pdf: Pack, trend: Trend) -> None:
    pdf.add_page()
    pdf.heading("Compliance over the last twelve months")
    if trend.empty:
        pdf.para("No daily figures have been kept yet: they start with the first daily snapshot "
                 "(flask --app app snapshot).")
        return
    pdf.para("Percentage of required staff compliant at the end of each month, per module.", 10)
    _chart(pdf, trend)
    rows = []
    for line in trend.lines:
        known = line.known
        rows.append((line.title, f"{known[0]}%" if known else "", f"{known[-1]}%" if known else "",
                     f"{line.change:+d} points" if line.change is not None else ""))
    first = next((month_label(month) for i, month in enumerate(trend.months)
                  if any(line.percents[i] is not None for line in trend.lines)), "")
    _table(pdf, ["Module", f"First kept ({first})", f"Now ({month_label(trend.months[-1])})", "Change"], rows,
           widths=(86, 32, 32, 24))


def _chart(pdf: Pack, trend: Trend) -> None:
    """Lines of every module on one 0-100% chart, drawn with the PDF's own lines."""
    left, top, width, height = pdf.l_margin + 12, pdf.get_y() + 2, 150, 70
    bottom = top + height
    step = width / max(len(trend.months) - 1, 1)
    pdf.set_font(pdf.family, "", 9)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*GREY)
    for level in (0, 50, 100):
        y = bottom - height * level / 100
        pdf.line(left, y, left + width, y)
        pdf.set_xy(left - 13, y - 2)
        pdf.cell(11, 4, f"{level}%", align="R")
    for index in (0, len(trend.months) - 1):
        pdf.set_xy(left + index * step - (0 if index == 0 else 20), bottom + 1)
        pdf.cell(20, 4, month_label(trend.months[index]), align="L" if index == 0 else "R")
    shades = [BLUE, (212, 53, 28), (0, 112, 60), (244, 119, 56), (76, 44, 146), (11, 12, 12), (213, 56, 128),
              (80, 90, 95)]
    pdf.set_line_width(0.6)
    for number, line in enumerate(trend.lines):
        pdf.set_draw_color(*shades[number % len(shades)])
        points = [(left + i * step, bottom - height * p / 100) for i, p in enumerate(line.percents) if p is not None]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            pdf.line(x1, y1, x2, y2)
    pdf.set_y(bottom + 8)
    pdf.set_font(pdf.family, "", 8)
    for number, line in enumerate(trend.lines):  # the key
        pdf.set_fill_color(*shades[number % len(shades)])
        pdf.rect(pdf.l_margin, pdf.get_y() + 1.2, 6, 1.6, style="F")
        pdf.set_x(pdf.l_margin + 8)
        pdf.cell(0, 4, pdf.text_of(line.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _by_agency(pdf: Pack, agencies, modules, by_agency, heads) -> None:
    pdf.add_page(orientation="landscape")
    pdf.heading("Compliance by agency and module")
    pdf.para("Percentage of required staff compliant (in date or expiring). A dash: not required of that agency.", 10)
    rows = []
    for agency_id in sorted(heads, key=lambda a: agencies.get(a, "")):
        cells = []
        for module in modules:
            figures = by_agency.get((agency_id, module.id))
            cells.append(f"{figures.percent}%" if figures and figures.required else "-")
        rows.append((agencies.get(agency_id, str(agency_id)), f"{heads[agency_id]:,}", *cells))
    share = (pdf.epw - 70 - 16 - 0.1) / max(len(modules), 1)  # a hair under the page width, for rounding
    _table(pdf, ["Agency", "Staff", *[m.title for m in modules]], rows, widths=(70, 16, *[share] * len(modules)),
           size=8)


def _method(pdf: Pack) -> None:
    pdf.add_page(orientation="portrait")
    pdf.heading("Notes on method")
    pdf.para("Staff are the active practitioners and agency leads of active agencies. Each counts once for each "
             "module required of their agency's sector. Compliant means a completion that is in date, or expiring "
             f"within {current_app.config['EXPIRING_WINDOW_DAYS']} days.")
    pdf.para("The figures over time come from a snapshot kept each day; each month shows the last snapshot kept "
             "in it. Months without one are left blank.")
    pdf.para("No figure here names or counts individual people below agency level.")


def _table(pdf: Pack, headings: list[str], rows: list[tuple], widths: tuple, size: int = 10) -> None:
    pdf.set_font(pdf.family, "", size)
    # Plain cells, whatever the chart before the table left set.
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(*BLACK)
    pdf.set_line_width(0.2)
    heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BLUE)
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", headings_style=heading_style,
                   line_height=size * 0.5, repeat_headings=1, text_align="LEFT") as table:
        table.row([pdf.text_of(h) for h in headings])
        for row in rows:
            table.row([pdf.text_of(str(value)) for value in row])
    pdf.ln(4)
