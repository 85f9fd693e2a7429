"""The compliance workbook that agencies and the partnership take to their boards.

Sheets: Summary (agencies x modules, % compliant, colours, chart), Staff matrix (a row per
person, status and date per required module), Completions (every completion), Coverage
(staff per agency who completed a module teaching each recommendation), Misconceptions
(first answers wrong per agency and question, small numbers suppressed), Impact (learning
into practice per recommendation and agency, learning/impact/workbook.py), About.

Written in openpyxl's write-only mode from streamed queries, so memory stays flat as the
workforce grows: rows are fetched in batches and written as they arrive.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import IO

from flask import current_app
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import case, func, select

from learning.compliance import Scope, figures_by, headcount, lookups, pairs, required_modules, totals_by_module
from learning.compliance.counted_questions import for_a_report
from learning.compliance.insight import MIN_PEOPLE, NO_ANSWERS, protect, total
from learning.compliance.people_counts import NOBODY, PeopleCounts, people_counts
from learning.compliance.status import Status
from learning.compliance.trend_sheet import trend_sheet
from learning.content.catalogue import catalogue
from learning.courses.times import local
from learning.database import streamed
from learning.exports.cells import BOLD, TITLE, WRAP, cell, chart_text, dated, heading_row, keep_together, print_setup, safe_text
from learning.extensions import db
from learning.impact.workbook import impact_sheet
from learning.models import Agency, Completion, Module, User, utcnow

STATUS_FILLS = {
    Status.IN_DATE: PatternFill("solid", fgColor="C6EFCE"),
    Status.EXPIRING: PatternFill("solid", fgColor="FFEB9C"),
    Status.IN_PROGRESS: PatternFill("solid", fgColor="BDD7EE"),
    Status.EXPIRED: PatternFill("solid", fgColor="FFC7CE"),
    Status.NOT_PASSED: PatternFill("solid", fgColor="F8CBAD"),
    Status.NOT_STARTED: PatternFill("solid", fgColor="E7E6E6"),
}
GOOD, FAIR, POOR = (PatternFill("solid", fgColor=c) for c in ("C6EFCE", "FFEB9C", "FFC7CE"))
BATCH = 2000
# Rows between two calls of the progress callback: rare enough to cost nothing per row.
PROGRESS_EVERY = 500

DEFINITIONS = [
    (Status.IN_DATE, "Completed, and still valid for more than the expiring window."),
    (Status.EXPIRING, "Completed and still valid, but it runs out within the expiring window. Counts as compliant."),
    (Status.IN_PROGRESS, "No valid completion; an attempt has been started and not submitted."),
    (Status.EXPIRED, "Completed before, but the completion has run out, and no attempt is open."),
    (Status.NOT_PASSED, "Attempted and did not reach the pass mark; never completed, and no attempt is open."),
    (Status.NOT_STARTED, "No completion, no attempt open and no attempt that failed."),
]


def build(out: IO[bytes] | str, scope: Scope, generated_by: str, window_days: int, now: datetime | None = None,
          progress: Callable[[int], None] | None = None) -> dict:
    """Write the workbook to `out`; return a few counts for the audit trail. `progress(n)`,
    when given, hears of every PROGRESS_EVERY rows written to the two big sheets (about
    `expected_rows(scope)` in all)."""
    now = now or utcnow()
    wb = Workbook(write_only=True)
    agencies, teams, module_titles = lookups()
    in_scope = [a for a in db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
                if scope.agency_ids is None or a.id in scope.agency_ids]
    modules = required_modules(scope.agency_ids)
    by_agency = figures_by(scope, by_agency=True, now=now)
    by_module = totals_by_module(by_agency)

    _summary(wb, in_scope, modules, by_agency, by_module, headcount(scope), people_counts(scope, now))
    trend_sheet(wb, scope, now)
    people = _staff_matrix(wb, scope, modules, agencies, teams, now, progress)
    completions = _completions(wb, scope, agencies, teams, module_titles, progress)
    _coverage(wb, scope, in_scope)
    _misconceptions(wb, scope, in_scope)
    impact_sheet(wb, scope.agency_ids, current_app.config["FOLLOW_UP_DAYS"])
    _about(wb, scope, generated_by, now, window_days, agencies, teams, module_titles)
    wb.save(out)
    return {"people": people, "completions": completions, "agencies": len(in_scope)}


def _summary(wb, agencies, modules, by_agency, by_module, heads, people) -> None:
    """Per agency: staff, the share of them compliant per module, the share of person-module
    pairs compliant (labelled as pairs), and the people compliant with all their required
    learning (a count of people, and their share of the staff with any required learning)."""
    ws = wb.create_sheet("Summary")
    print_setup(ws, "Summary", [38, 8, *[20] * len(modules), 14, 16, 16], title_rows="3:3", title_columns="A:A")
    ws.freeze_panes = "B4"  # a write-only sheet writes its panes before the first row
    ws.append([cell(ws, "Percentage of required staff compliant (in date or expiring), by agency and module",
                    font=TITLE)])
    ws.append([])
    titles = ["Agency", "Staff", *[m.title for m in modules], "All modules (person-module pairs)",
              "People compliant with all required learning", "% of people compliant with all required learning"]
    ws.append(heading_row(ws, 3, titles))
    first_data_row = 4
    for agency in agencies:
        row = [cell(ws, agency.name), cell(ws, heads.get(agency.id, 0))]
        required = compliant = 0
        for module in modules:
            figures = by_agency.get((agency.id, module.id))
            if figures and figures.required:
                row.append(cell(ws, figures.compliant / figures.required, number_format="0%"))
                required += figures.required
                compliant += figures.compliant
            else:
                row.append(cell(ws, "Not required"))
        row.append(cell(ws, compliant / required if required else "No staff", number_format="0%"))
        row += _all_learning(ws, people.get(agency.id, NOBODY))
        ws.append(row)
    total_row = [cell(ws, "All agencies in this workbook", font=BOLD), cell(ws, sum(heads.values()))]
    required = compliant = 0
    for module in modules:
        figures = by_module.get(module.id)
        total_row.append(cell(ws, figures.compliant / figures.required if figures and figures.required else 0,
                              number_format="0%", font=BOLD))
        if figures:
            required += figures.required
            compliant += figures.compliant
    total_row.append(cell(ws, compliant / required if required else 0, number_format="0%", font=BOLD))
    in_workbook = [people.get(a.id, NOBODY) for a in agencies]
    total_row += _all_learning(ws, PeopleCounts(sum(p.assessed for p in in_workbook), sum(p.compliant for p in in_workbook),
                                                {}), font=BOLD)
    ws.append(total_row)
    last_row = first_data_row + len(agencies)
    pairs_col, share_col = get_column_letter(len(titles) - 2), get_column_letter(len(titles))
    area = f"C{first_data_row}:{pairs_col}{last_row} {share_col}{first_data_row}:{share_col}{last_row}"
    # Colours a board reads at a glance: 90% and over green, 70-89% amber, under 70% red.
    ws.conditional_formatting.add(area, CellIsRule(operator="greaterThanOrEqual", formula=["0.9"], fill=GOOD))
    ws.conditional_formatting.add(area, CellIsRule(operator="between", formula=["0.7", "0.8999"], fill=FAIR))
    ws.conditional_formatting.add(area, CellIsRule(operator="lessThan", formula=["0.7"], fill=POOR))
    ws.append([])
    ws.append([cell(ws, "Green: 90% or more. Amber: 70% to 89%. Red: under 70%.")])
    if modules:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Staff compliant by module, all agencies in this workbook"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.add_data(Reference(ws, min_col=3, max_col=2 + len(modules), min_row=last_row, max_row=last_row),
                       from_rows=True, titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=3, max_col=2 + len(modules), min_row=3, max_row=3))
        chart.legend = None
        # 11 pt like the cells, so the chart stays readable on a page printed at 75%.
        chart.x_axis.txPr = chart.y_axis.txPr = chart_text(1100)
        chart.height, chart.width = 12, 24
        ws.add_chart(chart, f"A{last_row + 4}")


def _all_learning(ws, counts: PeopleCounts, font=None) -> list:
    """The two people columns of a Summary row: how many are compliant with all their
    required learning, and what share of the staff with any required learning that is."""
    share = counts.compliant / counts.assessed if counts.assessed else "Nothing required"
    return [cell(ws, counts.compliant, font=font), cell(ws, share, number_format="0%", font=font)]


def expected_rows(scope: Scope) -> int:
    """About how many rows the staff matrix and completions sheets will have, for progress."""
    people = sum(headcount(scope).values())
    completions = db.session.scalar(select(func.count()).select_from(_completions_query(scope).subquery())) or 0
    return people + completions


def _staff_matrix(wb, scope, modules, agencies, teams, now, progress=None) -> int:
    """One row per person. The big sheet, so cells are plain values (openpyxl reuses one
    cell object for those) and colours come from conditional formatting on the status
    columns, not from a styled cell per status: 800,000 styled cells would cost minutes."""
    ws = wb.create_sheet("Staff matrix")
    fixed = ["Name", "Email", "Agency", "Team", "Job title"]
    titles = fixed + [t for m in modules for t in (f"{m.title}: status", f"{m.title}: valid until")]
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(titles))}1"
    layout = print_setup(ws, "Staff matrix", [26, 32, 30, 20, 22, *[16, 13] * len(modules)],
                         title_rows="1:1", title_columns="A:A")
    ws.append(heading_row(ws, 1, titles))
    column = {m.id: len(fixed) + 2 * i for i, m in enumerate(modules)}
    labels = {s.value: s.label for s in Status}
    # Agency and team names made safe once each, not once per row.
    agency_names = {k: safe_text(v) for k, v in agencies.items()}
    team_names = {k: safe_text(v) for k, v in teams.items()}
    blank = ["Not required", None] * len(modules)
    inner = pairs(scope, now).subquery()
    query = (
        select(inner.c.user_id, inner.c.module_id, inner.c.status, inner.c.expiry,
               User.name, User.email, User.job_title, User.agency_id, User.team_id)
        .join(User, User.id == inner.c.user_id)
        .order_by(User.name, User.id)
    )
    people = 0
    current, row = None, []
    # Core rows (no ORM loading step), streamed in batches (a server-side cursor on PostgreSQL).
    # Closed however the loop ends (see streamed), so a failure here ends the read.
    with streamed(query, BATCH) as rows:
        for user_id, module_id, status, expiry, name, email, job_title, agency_id, team_id in rows:
            if user_id != current:
                if current is not None:
                    ws.append(row)
                    people += 1
                    if progress and not people % PROGRESS_EVERY:
                        progress(PROGRESS_EVERY)
                current = user_id
                row = [safe_text(name), safe_text(email), agency_names.get(agency_id, ""),
                       team_names.get(team_id, "") if team_id else "", safe_text(job_title or ""), *blank]
            at = column.get(module_id)
            if at is not None:
                row[at] = labels[status]
                row[at + 1] = dated(ws, expiry.date() if expiry else None)
    if current is not None:
        ws.append(row)
        people += 1
    if progress:
        progress(people % PROGRESS_EVERY)
    if modules and people:
        _status_colours(ws, f"{get_column_letter(len(fixed) + 1)}2:{get_column_letter(len(titles))}{people + 1}")
    ws.append([])
    keep_together(ws, layout, people + 3, 1 + len(DEFINITIONS))
    ws.append([cell(ws, "Key", font=BOLD)])
    for status, meaning in DEFINITIONS:
        ws.append([cell(ws, status.label, fill=STATUS_FILLS[status]), cell(ws, meaning)])
    return people


def _status_colours(ws, area: str) -> None:
    for status, fill in STATUS_FILLS.items():
        ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{status.label}"'], fill=fill))


def _completions_query(scope: Scope):
    query = (
        select(User.id, User.name, User.email, User.agency_id, User.team_id, Completion.module_id,
               Completion.module_version, Completion.completed_at, Completion.expires_at, Completion.score,
               Completion.source, Completion.certificate_code, Completion.revoked_at)
        .join(User, User.id == Completion.user_id)
        .join(Agency, Agency.id == User.agency_id)
    )
    if scope.agency_ids is not None:
        query = query.where(User.agency_id.in_(scope.agency_ids))
    if scope.team_id:
        query = query.where(User.team_id == scope.team_id)
    if scope.module_id:
        query = query.where(Completion.module_id == scope.module_id)
    return query


def _completions(wb, scope, agencies, teams, module_titles, progress=None) -> int:
    ws = wb.create_sheet("Completions")
    titles = ["Name", "Email", "Agency", "Team", "Module", "Content version", "Completed", "Valid until",
              "Score (%)", "Source", "Certificate code", "Revoked"]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(titles))}1"
    print_setup(ws, "Completions", [26, 32, 30, 20, 40, 10, 13, 13, 9, 12, 32, 12], title_rows="1:1",
                title_columns="A:A")
    ws.append(heading_row(ws, 1, titles))
    query = _completions_query(scope).order_by(User.name, User.id, Completion.completed_at)
    agency_names = {k: safe_text(v) for k, v in agencies.items()}
    team_names = {k: safe_text(v) for k, v in teams.items()}
    count = 0
    current, name, email = None, "", ""
    with streamed(query, BATCH) as rows:
        for (user_id, raw_name, raw_email, agency_id, team_id, module_id, version, completed_at, expires_at, score,
             source, code, revoked_at) in rows:
            if user_id != current:  # rows come person by person: make each person's name safe once
                current, name, email = user_id, safe_text(raw_name), safe_text(raw_email)
            # Plain values (see _staff_matrix); dates as dates, so Excel shows and sorts them as dates.
            ws.append([name, email, agency_names.get(agency_id, ""), team_names.get(team_id, "") if team_id else "",
                       module_titles.get(module_id, ""), version, dated(ws, completed_at.date()),
                       dated(ws, expires_at.date()), score, source, code,
                       dated(ws, revoked_at.date() if revoked_at else None)])
            count += 1
            if progress and not count % PROGRESS_EVERY:
                progress(PROGRESS_EVERY)
    if progress:
        progress(count % PROGRESS_EVERY)
    return count


def _coverage(wb, scope, agencies) -> None:
    """Per recommendation and agency: staff holding an in-date completion of a module that
    teaches it. One query: a distinct count per recommendation over one scan of completions."""
    ws = wb.create_sheet("Coverage")
    print_setup(ws, "Coverage", [60, 50, *[16] * len(agencies), 10], title_rows="3:3", title_columns="A:A")
    ws.freeze_panes = "C4"  # a write-only sheet writes its panes before the first row
    ws.append([cell(ws, "Staff with an in-date completion of a module that teaches each review recommendation",
                    font=TITLE)])
    ws.append([])
    ws.append(heading_row(ws, 3, ["Recommendation", "Modules that teach it", *[a.name for a in agencies], "Total"]))
    cat = catalogue()
    slugs_to_ids = dict(db.session.execute(select(Module.slug, Module.id)).all())
    teaching = {rec_id: [m for m in cat.ordered() if any(rec_id in q.recommendations for q in m.questions)]
                for rec_id in cat.recommendations}
    columns = []
    for rec_id, modules in teaching.items():
        ids = [slugs_to_ids[m.slug] for m in modules if m.slug in slugs_to_ids] or [-1]
        columns.append(func.count(func.distinct(case((Completion.module_id.in_(ids), Completion.user_id)))).label(rec_id))
    query = (
        select(User.agency_id, *columns)
        .join(User, User.id == Completion.user_id)
        .where(Completion.revoked_at.is_(None), Completion.expires_at > utcnow(), User.active.is_(True))
        .group_by(User.agency_id)
    )
    if scope.agency_ids is not None:
        query = query.where(User.agency_id.in_(scope.agency_ids))
    counts = {row.agency_id: row for row in db.session.execute(query)}
    for row_number, (rec_id, rec) in enumerate(cat.recommendations.items(), start=4):
        # Write-only sheets cannot fit rows to wrapped text, so give each room for three lines.
        ws.row_dimensions[row_number].height = 45
        per_agency = [getattr(counts[a.id], rec_id) if a.id in counts else 0 for a in agencies]
        ws.append([cell(ws, rec.title, alignment=WRAP), cell(ws, ", ".join(m.title for m in teaching[rec_id]), alignment=WRAP),
                   *[cell(ws, n) for n in per_agency], cell(ws, sum(per_agency))])


def _misconceptions(wb, scope, agencies) -> None:
    ws = wb.create_sheet("Misconceptions")
    everyone = "All agencies" if scope.agency_ids is None else "These agencies"
    titles = ["Module", "Question", f"{everyone}: people who answered", f"{everyone}: share wrong",
              *[f"{a.name}: share wrong" for a in agencies]]
    print_setup(ws, "Misconceptions", [32, 70, 16, 16, *[16] * len(agencies)], title_rows="4:4", title_columns="A:B")
    ws.freeze_panes = "C5"  # a write-only sheet writes its panes before the first row
    ws.append([cell(ws, "Share of people whose first answer to a question was wrong, per question and agency", font=TITLE)])
    # The figures the web pages show, kept by the worker, with the same suppression
    # (protect): what one hides the other cannot give away.
    errors, counted_at = for_a_report()
    ws.append([cell(ws, f"Figures from fewer than {MIN_PEOPLE} people are not shown, so that no one can be picked out. "
                        "An agency's figure is also not shown where a smaller agency's could be worked out from it. "
                        f"Counted at {local(counted_at):%H:%M on %-d %B %Y}.")])
    ws.append([])
    ws.append(heading_row(ws, 4, titles))
    wanted = None if scope.agency_ids is None else set(scope.agency_ids)
    row_number = 4
    for module in catalogue().ordered():
        for question in module.questions:
            row_number += 1
            ws.row_dimensions[row_number].height = 45  # room for a wrapped prompt (see _coverage)
            cells = protect(errors.get((module.slug, question.id), {}))
            together = total(c for a, c in cells.items() if wanted is None or a in wanted)
            if wanted is not None and len(wanted) == 1:
                together = cells.get(next(iter(wanted)), NO_ANSWERS)
            row = [cell(ws, module.title), cell(ws, question.prompt, alignment=WRAP),
                   _people(ws, together), _share(ws, together)]
            row.extend(_share(ws, cells.get(agency.id, NO_ANSWERS)) for agency in agencies)
            ws.append(row)
    ws.auto_filter.ref = f"A4:{get_column_letter(len(titles))}{max(row_number, 5)}"


def _people(ws, c):
    if c.people and c.people < MIN_PEOPLE:
        return cell(ws, f"Fewer than {MIN_PEOPLE}")
    return cell(ws, "Not shown" if c.suppressed else c.people)


def _share(ws, c):
    if not c.people:
        return cell(ws, "No answers")
    if c.people < MIN_PEOPLE:
        return cell(ws, f"Fewer than {MIN_PEOPLE}")
    if c.suppressed:
        return cell(ws, "Not shown")
    share = c.wrong / c.people
    return cell(ws, share, number_format="0%", fill=POOR if share >= 0.5 else (FAIR if share >= 0.25 else None))


def _about(wb, scope, generated_by, now, window_days, agencies, teams, modules) -> None:
    ws = wb.create_sheet("About")
    print_setup(ws, "About", [22, 90])
    bold = BOLD
    ws.append([cell(ws, "About this workbook", font=TITLE)])
    ws.append([cell(ws, "Generated", font=bold), cell(ws, now)])
    ws.append([cell(ws, "Generated by", font=bold), cell(ws, generated_by)])
    ws.append([cell(ws, "Expiring window", font=bold), cell(ws, f"{window_days} days")])
    for label, value in scope.describe(agencies, teams, modules):
        ws.append([cell(ws, label, font=bold), cell(ws, value)])
    ws.append([])
    ws.append([cell(ws, "What each status means", font=bold)])
    for status, meaning in DEFINITIONS:
        ws.append([cell(ws, status.label, fill=STATUS_FILLS[status]), cell(ws, meaning, alignment=WRAP)])
    ws.append([])
    ws.append([cell(ws, "Compliant means in date or expiring. Only modules required for an agency's sector count. "
                        "Staff means active practitioners and agency leads in active agencies.", alignment=WRAP)])
