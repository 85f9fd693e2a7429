"""The impact figures as spreadsheets: the Impact sheet (added to the compliance workbook,
and the first sheet of `flask --app app export impact`), an Examples sheet (the export
only: the words people gave, with no name or agency) and notes on method and suppression."""
from __future__ import annotations

from datetime import date, datetime
from typing import IO

from openpyxl import Workbook

from learning.exports.cells import BOLD, TITLE, WRAP, cell, heading_row, print_setup
from learning.impact.service import Cell, Figures, figures
from learning.models import utcnow

HEADINGS = ["Recommendation", "Agency", "People trained", "People who rated before and after",
            "Mean confidence before (1 to 5)", "Mean confidence after (1 to 5)", "Change",
            "People who answered the follow-up", "Share who had used it in practice"]


def method_notes(found: Figures, follow_up_days: int) -> list[str]:
    period = "All dates." if not (found.start or found.end) else (
        f"From {found.start:%-d %B %Y} " if found.start else "Up to ") + (
        f"to {found.end:%-d %B %Y}." if found.end else "onwards.")
    return [
        f"Period: {period}",
        "People trained: people with a completion (e-learning, course or approved external training) of a module "
        "that teaches the recommendation.",
        "Confidence: each module and course has one learning outcome per recommendation it teaches. People rate "
        "their confidence in each from 1 to 5 before and after. The means count only people who rated both; a "
        "person who rated more than once counts once, with the mean of their ratings.",
        f"Follow-up: {follow_up_days} days after a completion, people are asked whether they have used the learning "
        "in their practice (yes, no or not yet). The share is the people who said yes, out of the people who answered.",
        f"Suppression: figures from fewer than {found.min_people} people are not shown, so that no one can be "
        "identified. The partnership row of each recommendation adds up its agencies.",
    ]


def _row(ws, rec_title: str, agency: str, c: Cell) -> list:
    hidden = f"Fewer than {Figures.min_people}"
    confidence = ([c.before, c.after, c.change] if not c.confidence_suppressed
                  else [hidden] * 3 if c.rated else ["No ratings"] * 3)
    used = (c.used / c.answered if not c.follow_up_suppressed else hidden if c.answered else "No answers")
    return [cell(ws, rec_title, alignment=WRAP), cell(ws, agency), cell(ws, c.trained),
            cell(ws, c.rated if not c.confidence_suppressed else hidden if c.rated else 0),
            *[cell(ws, v, number_format="0.0") for v in confidence],
            cell(ws, c.answered if not c.follow_up_suppressed else hidden if c.answered else 0),
            cell(ws, used, number_format="0%")]


def impact_sheet(wb: Workbook, agency_ids: tuple[int, ...] | None, follow_up_days: int,
                 start: date | None = None, end: date | None = None, found: Figures | None = None) -> Figures:
    """Add the Impact sheet (figures only, never free text) to a write-only workbook."""
    found = found or figures(agency_ids, "none", start, end)
    ws = wb.create_sheet("Impact")
    print_setup(ws, "Impact", [44, 30, 11, 13, 13, 13, 9, 13, 13], title_rows="3:3", title_columns="A:A")
    ws.append([cell(ws, "Learning into practice: figures per recommendation and agency", font=TITLE)])
    ws.append([cell(ws, f"Figures from fewer than {found.min_people} people are suppressed so that no one can be "
                        "identified. The method is on the About impact sheet of the impact export, and below.")])
    ws.append(heading_row(ws, 3, HEADINGS))
    for rec in found.recommendations:
        ws.append(_row(ws, rec.title, "All agencies" if agency_ids is None else "Your agencies", rec.total))
        for agency_id, name in found.agencies:
            if agency_id in rec.cells:
                ws.append(_row(ws, rec.title, name, rec.cells[agency_id]))
    ws.append([])
    for note in method_notes(found, follow_up_days):
        ws.append([cell(ws, note, alignment=WRAP)])
    ws.freeze_panes = "C4"
    return found


def build(out: IO[bytes] | str, agency_ids: tuple[int, ...] | None, follow_up_days: int, generated_by: str,
          start: date | None = None, end: date | None = None, now: datetime | None = None) -> dict:
    """The impact workbook: Impact, Examples (no names) and About impact."""
    now = now or utcnow()
    wb = Workbook(write_only=True)
    found = impact_sheet(wb, agency_ids, follow_up_days, start, end, figures(agency_ids, "all", start, end))
    ws = wb.create_sheet("Examples")
    print_setup(ws, "Examples", [44, 90], title_rows="1:1")
    ws.append(heading_row(ws, 1, ["Recommendation", "An example someone gave of using the learning (no names)"]))
    examples = 0
    for rec in found.recommendations:
        for example in rec.examples:
            ws.append([cell(ws, rec.title, alignment=WRAP), cell(ws, example, alignment=WRAP)])
            examples += 1
    about = wb.create_sheet("About impact")
    print_setup(about, "About impact", [22, 90])
    about.append([cell(about, "About these figures", font=TITLE)])
    about.append([cell(about, "Generated", font=BOLD), cell(about, now)])
    about.append([cell(about, "Generated by", font=BOLD), cell(about, generated_by)])
    for note in method_notes(found, follow_up_days):
        about.append([cell(about, ""), cell(about, note, alignment=WRAP)])
    about.append([cell(about, ""), cell(about, "Examples are the newest few per recommendation, in the person's own "
                                                "words, never with their name or agency.", alignment=WRAP)])
    wb.save(out)
    return {"recommendations": len(found.recommendations), "examples": examples}
