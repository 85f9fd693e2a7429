"""The board pack's pages, one function each, in the order a board reads them."""
from __future__ import annotations

from datetime import date

from flask import current_app

from learning.compliance.board_pack.figures import CourseLine, Missed, Recommendation
from learning.compliance.board_pack.pdf import Pack, chart
from learning.compliance.insight import MIN_PEOPLE
from learning.compliance.since_launch import SinceLaunch
from learning.compliance.status import Status
from learning.compliance.trend import Trend, month_label
from learning.courses.times import local
from learning.exports.cells import produced_on


def cover(pdf: Pack, covers: str, start: date, end: date) -> None:
    pdf.add_page()
    pdf.ln(50)
    pdf.heading("Safeguarding learning: board pack", 24)
    pdf.para(pdf.partnership, 14)
    pdf.para(f"Produced {pdf.produced}. Covers: {covers}.", 12)
    pdf.para(f"Period: {produced_on(start)} to {produced_on(end)}.", 12)
    pdf.ln(10)
    pdf.para("Compliance with required safeguarding learning and how it has changed over the period; how each "
             "agency stands today; how far the review's recommendations have reached staff; the questions staff "
             "most often get wrong; and attendance of face-to-face courses.", 12)


def headlines(pdf: Pack, by_agency, heads, change: SinceLaunch) -> None:
    pdf.add_page()
    pdf.heading("Headline figures")
    pdf.para(f"As at {pdf.produced}. Each person counts once for each module required of them.", 10)
    counts = {s: sum(f.counts[s] for f in by_agency.values()) for s in Status}
    required = sum(counts.values())
    compliant = counts[Status.IN_DATE] + counts[Status.EXPIRING]
    percent = round(100 * compliant / required) if required else 0
    rows = [("Staff counted", f"{sum(heads.values()):,}"),
            ("Required modules compliant (in date or expiring)",
             f"{percent}% ({compliant:,} of {required:,})" if required else "None required"),
            *[(f"Required modules {s.label.lower()}", f"{counts[s]:,}") for s in Status]]
    if not change.empty:
        rows.append((f"Modules whose compliance rose from {produced_on(change.first_day)} to "
                     f"{produced_on(change.last_day)}", f"{change.improved} of {change.compared}"))
    pdf.grid(["Measure", "Figure"], rows, widths=(120, 54), align="LR")


def over_time(pdf: Pack, trend: Trend, change: SinceLaunch) -> None:
    pdf.add_page()
    pdf.heading("Compliance over the period")
    if trend.empty:
        pdf.para("No daily figures were kept in the period: they start with the first daily snapshot "
                 "(flask --app app snapshot).")
        return
    pdf.para("Percentage of required modules compliant (in date or expiring) at the end of each month, per module.",
             10)
    chart(pdf, trend)
    if change.empty:
        return
    pdf.para(f"From the first figures kept in the period ({produced_on(change.first_day)}) to the last "
             f"({produced_on(change.last_day)}):", 10)
    rows = [(c.title, c.then.words, c.now.words, c.words) for c in change.changes]
    pdf.grid(["Module", produced_on(change.first_day), produced_on(change.last_day), "Change"], rows,
             widths=(66, 38, 38, 32), size=9, align="LRRL")


def by_agency(pdf: Pack, agencies, modules, figures, heads) -> None:
    pdf.add_page(orientation="landscape")
    pdf.heading("Compliance by agency and module")
    pdf.para(f"As at {pdf.produced}: percentage of the agency's staff compliant (in date or expiring) with each "
             "module (the columns are numbered, and the modules named below). A dash: not required of that agency.", 10)
    rows = []
    for agency_id in sorted(heads, key=lambda a: agencies.get(a, "")):
        cells = []
        for module in modules:
            found = figures.get((agency_id, module.id))
            cells.append(f"{found.percent}%" if found and found.required else "-")
        rows.append((agencies.get(agency_id, str(agency_id)), f"{heads[agency_id]:,}", *cells))
    # Numbered columns with a key below: fourteen-odd millimetres cannot hold a module's title.
    share = (pdf.epw - 70 - 16 - 0.1) / max(len(modules), 1)  # a hair under the page width, for rounding
    pdf.grid(["Agency", "Staff", *[f"{number}" for number in range(1, len(modules) + 1)]], rows,
             widths=(70, 16, *[share] * len(modules)), size=8, align="LR" + "R" * len(modules))
    pdf.set_font(pdf.family, "", 8)
    for number, module in enumerate(modules, 1):
        pdf.cell(0, 4, pdf.text_of(f"{number}: {module.title}"), new_x="LMARGIN", new_y="NEXT")


def recommendations(pdf: Pack, coverage: list[Recommendation], staff: int, start: date, end: date) -> None:
    pdf.add_page(orientation="landscape")
    pdf.heading("Coverage of the review's recommendations")
    pdf.para(f"For each recommendation: the modules that teach it (and how many of their questions do), the staff "
             f"({staff:,} in all) who hold an in-date completion of one of those modules as at {pdf.produced}, and "
             f"the completions of those modules from {produced_on(start)} to {produced_on(end)}.", 10)
    rows = []
    for rec in coverage:
        share = f" ({round(100 * rec.holders / staff)}%)" if staff else ""
        rows.append((rec.title, "; ".join(rec.modules) or "Not yet taught", f"{rec.questions}",
                     f"{rec.holders:,}{share}", f"{rec.completed_in_period:,}"))
    pdf.grid(["Recommendation", "Modules that teach it", "Questions", "Staff in date", "Completions in period"],
             rows, widths=(88, 93, 22, 28, 30), size=8, align="LLRRR")


def missed(pdf: Pack, found: Missed) -> None:
    pdf.add_page(orientation="portrait")
    pdf.heading("Questions most often answered wrong")
    pdf.para("Across the partnership, the share of people whose first answer to a question was wrong (a retake "
             "after reading the feedback does not count). Where these are high, the learning has not yet landed: "
             f"a subject for supervision and team briefings. Answers counted at {local(found.counted_at):%H:%M on %-d %B %Y}.",
             10)
    if not found.questions:
        pdf.para(f"No question has yet been answered by {MIN_PEOPLE} or more people.")
    else:
        rows = [(q.module, q.prompt if len(q.prompt) <= 200 else q.prompt[:197].rstrip() + "...",
                 f"{q.cell.percent_wrong}%", f"{q.cell.people:,}") for q in found.questions]
        pdf.grid(["Module", "Question", "Wrong first time", "People"], rows, widths=(38, 92, 24, 20), size=8,
                 align="LLRR")
    if found.suppressed:
        pdf.para(f"{found.suppressed} questions answered by fewer than {MIN_PEOPLE} people are left out.", 9)


def courses(pdf: Pack, lines: list[CourseLine], start: date, end: date) -> None:
    pdf.heading("Attendance of face-to-face courses")
    pdf.para(f"Sessions held from {produced_on(start)} to {produced_on(end)} with their registers taken. Places "
             "cancelled in good time are not counted; non-attendance is the share of the remaining places that "
             "were not used (did not attend, or cancelled late).", 10)
    if not lines:
        pdf.para("No sessions with a register were held in the period.")
        return
    rows = [(line.title, f"{line.sessions:,}", f"{line.attended:,}", f"{line.absent:,}", f"{line.cancelled_late:,}",
             f"{line.non_attendance}%" if line.non_attendance is not None else "-") for line in lines]
    total = CourseLine("All courses", sum(x.sessions for x in lines), sum(x.attended for x in lines),
                       sum(x.absent for x in lines), sum(x.cancelled_late for x in lines))
    rows.append((total.title, f"{total.sessions:,}", f"{total.attended:,}", f"{total.absent:,}",
                 f"{total.cancelled_late:,}", f"{total.non_attendance}%" if total.non_attendance is not None else "-"))
    pdf.grid(["Course", "Sessions", "Attended", "Did not attend", "Cancelled late", "Non-attendance"], rows,
             widths=(46, 20, 22, 26, 28, 32), size=9, align="LRRRRR")


def method(pdf: Pack, month_first: date, month_last: date) -> None:
    pdf.add_page(orientation="portrait")
    pdf.heading("Notes on method")
    pdf.para("Staff are the active practitioners and agency leads of active agencies. Each counts once for each "
             "module required of their agency's sector. Compliant means a completion that is in date, or expiring "
             f"within {current_app.config['EXPIRING_WINDOW_DAYS']} days.")
    pdf.para("The headline figures, compliance by agency and the staff holding each recommendation's learning are "
             "as at the date produced. The figures over time come from a snapshot kept each day; each month shows "
             f"the last snapshot kept in it, from {month_label(month_first)} to {month_label(month_last)}. Months "
             "without one are left blank.")
    pdf.para("The questions answered wrong count each person's first answer to each question, across every "
             f"agency covered. A question answered by fewer than {MIN_PEOPLE} people is left out, so that no one can "
             "be singled out. No figure here names or counts individual people below agency level.")
