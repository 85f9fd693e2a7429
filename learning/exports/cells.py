"""Cells that are safe to hand to a board or an inspector.

Spreadsheet programs run a cell that starts with = + - @ (and, after a paste, tab or
carriage return) as a formula: a name typed as '=HYPERLINK(...)' would become a live link.
Every text value that could come from a person goes through `safe_text`, which puts an
apostrophe in front of those characters, and passes the text through the one rule for text
(`text.clean`): the XML inside an .xlsx cannot hold the characters XML 1.0 forbids, and text
stored before that rule applied on the way in must not make a workbook unreadable.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from learning.text import clean

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FONT = "Arial"
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
BOLD = Font(name=FONT, bold=True)
TITLE = Font(name=FONT, bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="1D70B8")
DATE_FORMAT = "d mmm yyyy"
DATE_TIME_FORMAT = "d mmm yyyy hh:mm"
WRAP = Alignment(wrap_text=True, vertical="top")
LEFT = Alignment(horizontal="left")


def safe_text(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run; leave numbers and dates alone."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell(ws, value: Any, *, fill: PatternFill | None = None, font: Font | None = None,
         number_format: str | None = None, alignment: Alignment | None = None) -> Cell:
    c = WriteOnlyCell(ws, value=safe_text(value))
    if isinstance(value, (datetime, date)):
        c.number_format = number_format or DATE_FORMAT
    elif number_format:
        c.number_format = number_format
    if fill is not None:
        c.fill = fill
    if font is not None:
        c.font = font
    if alignment is not None:
        c.alignment = alignment
    return c


def landscape(ws) -> None:
    """Print on landscape pages, as wide as the page, repeating nothing by default."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def dated(ws, value: date | datetime | None, number_format: str = DATE_FORMAT) -> Cell | None:
    """A date cell in the one date format, for the big sheets that otherwise write plain
    values (openpyxl would give a bare date yyyy-mm-dd)."""
    if value is None:
        return None
    c = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]  # the stubs leave out date, which openpyxl takes
    c.number_format = number_format
    return c


def header_row(ws, titles: list[str]) -> list[Cell]:
    return [cell(ws, t, fill=HEADER_FILL, font=HEADER_FONT, alignment=WRAP) for t in titles]


def set_widths(ws, widths: list[float]) -> None:
    """Column widths. In write-only mode they must be set before the first row."""
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width


# Print setup. A board reads these on A4, so every sheet of every workbook goes through
# `print_setup`: paper, orientation, scaling, repeated headings, header and footer.
# Widths are in Excel's character units; a character of the default font is about 1.9 mm
# wide on paper, so these are the characters that fit across an A4 page between margins.
PORTRAIT_CHARS = 95
LANDSCAPE_CHARS = 140
# Cells are 11 pt: shrinking below 75% would print them under about 8 pt, too small to read.
MIN_SCALE = 0.75
# The character widths above are an estimate (a sheet's real width depends on the printer's
# font), so fit to the page only with this much to spare: a sheet on the edge would
# otherwise print just under MIN_SCALE.
FIT_MARGIN = 0.95
# Rows of the default height (15 pt) that fit down a page at 100%, between the margins.
PORTRAIT_ROWS = 46
LANDSCAPE_ROWS = 30
HEADER_LINE_HEIGHT = 15  # points per line of wrapped 11 pt heading text


@dataclass(frozen=True)
class Layout:
    """What print_setup chose, for the few callers that place page breaks themselves."""
    landscape: bool
    scale: float

    @property
    def rows_per_page(self) -> int:
        return int((LANDSCAPE_ROWS if self.landscape else PORTRAIT_ROWS) / self.scale)


def produced_on(when: date | None = None) -> str:
    """A date as text in the workbooks' one date format (d mmm yyyy): '5 Dec 2026'."""
    when = when or date.today()
    return f"{when.day} {when:%b %Y}"


def _header_text(value: str) -> str:
    # In header and footer codes & starts a command (&P, &N): a literal one is doubled.
    return safe_text(value).replace("&", "&&")


def print_setup(ws, title: str, widths: list[float], *, title_rows: str | None = None,
                title_columns: str | None = None, landscape: bool | None = None,
                produced: date | None = None) -> Layout:
    """Set the column widths and everything about printing one sheet; call it before the
    first row is written (write-only sheets write widths and fit-to-page at the top).

    The orientation is portrait when the columns fit it with little shrinking, otherwise
    landscape; a sheet is fitted to the page width only when that keeps text at MIN_SCALE or
    more. Wider sheets print at MIN_SCALE across several pages, repeating `title_columns`
    (the name) so each page says whose row it is, and `title_rows` (the headings) down."""
    set_widths(ws, widths)
    total = sum(widths)
    if landscape is None:
        landscape = total > PORTRAIT_CHARS / 0.9
    across = LANDSCAPE_CHARS if landscape else PORTRAIT_CHARS
    setup = ws.page_setup
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    if total * MIN_SCALE <= across * FIT_MARGIN:
        scale = min(1.0, across / total)
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        scale = MIN_SCALE
        setup.scale = round(MIN_SCALE * 100)
        setup.pageOrder = "overThenDown"  # a row's pages follow each other, as it is read
        if title_columns:
            ws.print_title_cols = title_columns
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_margins = PageMargins(left=0.6, right=0.6, top=1.0, bottom=0.8, header=0.35, footer=0.35)
    ws.print_options.horizontalCentered = False
    marking = _header_text(current_app.config.get("PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE"))
    partnership = _header_text(current_app.config["PARTNERSHIP_NAME"])
    # Two parts a line, at the sides: a third in the middle would run into the partnership's
    # name on a portrait page.
    ws.oddHeader.left.text = partnership
    ws.oddHeader.right.text = _header_text(title)
    ws.oddFooter.left.text = f"Produced {produced_on(produced)}"
    ws.oddFooter.center.text = f"&B{marking}"
    ws.oddFooter.right.text = "Page &P of &N"
    for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
        # 11 pt like the cells: a sheet shrunk to MIN_SCALE shrinks these too (LibreOffice
        # ignores scaleWithDoc), and they must stay readable.
        part.size = 11
    return Layout(landscape=landscape, scale=scale)


def heading_row(ws, row_number: int, titles: list[str]) -> list[Cell]:
    """The white-on-blue column headings at `row_number`, with the row made tall enough for
    the longest wrapped heading (write-only sheets cannot fit a row to its text, and without
    a height wrapped headings spill over the first row of data). Call before appending it."""
    lines = 1
    for index, text in enumerate(titles, 1):
        width = ws.column_dimensions[get_column_letter(index)].width or 8.43
        # Bold text is about 1.1 characters wide per character; a cell holds width - 1.
        lines = max(lines, math.ceil(len(text) * 1.1 / max(width - 1, 1)))
    ws.row_dimensions[row_number].height = HEADER_LINE_HEIGHT * lines
    return header_row(ws, titles)


def keep_together(ws, layout: Layout, first_row: int, count: int, heading_rows: int = 1) -> None:
    """Start a new page before rows first_row..first_row+count-1 (a key or a legend) when
    they would otherwise be split across two pages. Rows are assumed to be of the default
    height, so this is an estimate; it errs towards the break."""
    per_page = layout.rows_per_page - heading_rows
    before = first_row - 1 - heading_rows
    if before > 0 and (before % per_page) + count > per_page - 2:
        ws.row_breaks.append(Break(id=first_row - 1))


def chart_text(size: int) -> RichText:
    """Text properties for a chart's axis labels at `size` hundredths of a point (charts
    default to 10 pt, which a sheet printed at 75% would shrink below the readable limit)."""
    props = CharacterProperties(sz=size)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])
