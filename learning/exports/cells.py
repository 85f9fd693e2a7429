"""Cells that are safe to hand to a board or an inspector.

Spreadsheet programs run a cell that starts with = + - @ (and, after a paste, tab or
carriage return) as a formula: a name typed as '=HYPERLINK(...)' would become a live link.
Every text value that could come from a person goes through `safe_text`, which puts an
apostrophe in front of those characters, and passes the text through the one rule for text
(`text.clean`): the XML inside an .xlsx cannot hold the characters XML 1.0 forbids, and text
stored before that rule applied on the way in must not make a workbook unreadable.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill

from learning.text import clean

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FONT = "Arial"
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
BOLD = Font(name=FONT, bold=True)
TITLE = Font(name=FONT, bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="1D70B8")
DATE_FORMAT = "d mmm yyyy"
WRAP = Alignment(wrap_text=True, vertical="top")


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


def header_row(ws, titles: list[str]) -> list[Cell]:
    return [cell(ws, t, fill=HEADER_FILL, font=HEADER_FONT, alignment=WRAP) for t in titles]


def set_widths(ws, widths: list[float]) -> None:
    """Column widths. In write-only mode they must be set before the first row."""
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
