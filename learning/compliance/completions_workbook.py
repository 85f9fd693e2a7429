"""E-learning attendance sheet: who completed one module in a date range."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import IO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from learning.compliance import lookups
from learning.database import streamed
from learning.exports.cells import BOLD, TITLE, cell, heading_row, print_setup, produced_on
from learning.extensions import db
from learning.models import Agency, Completion, Module, User, utcnow

BATCH = 2000
PROGRESS_EVERY = 500


def build(out: IO[bytes] | str, module: Module, agency_ids: tuple[int, ...] | None, start: date | None,
          end: date | None, generated_by: str, progress: Callable[[int], None] | None = None) -> dict:
    """Write the sheet to `out`; `progress(n)` hears of every PROGRESS_EVERY rows written
    (`expected_rows(...)` in all)."""
    wb = Workbook(write_only=True)
    agencies, teams, _ = lookups()
    ws = wb.create_sheet("Completions")
    print_setup(ws, f"E-learning completions: {module.title}", [26, 32, 30, 20, 22, 13, 13, 10, 9, 12, 32],
                title_rows="4:4", title_columns="A:A")
    ws.append([cell(ws, f"E-learning completions: {module.title}", font=TITLE)])
    period = f"{produced_on(start) if start else 'the beginning'} to {produced_on(end) if end else 'today'}"
    now = utcnow()
    ws.append([cell(ws, f"Completed from {period}. Generated {produced_on(now)} {now:%H:%M} by {generated_by}.")])
    ws.append([])
    titles = ["Name", "Email", "Agency", "Team", "Job title", "Completed", "Valid until", "Content version",
              "Score (%)", "Source", "Certificate code"]
    ws.append(heading_row(ws, 4, titles))
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:{get_column_letter(len(titles))}4"
    query = _query(module, agency_ids, start, end)
    count = 0
    with streamed(query, BATCH) as rows:
        for r in rows:
            ws.append([cell(ws, r.name), cell(ws, r.email), cell(ws, agencies.get(r.agency_id, "")),
                       cell(ws, teams.get(r.team_id, "") if r.team_id else ""), cell(ws, r.job_title or ""),
                       cell(ws, r.completed_at), cell(ws, r.expires_at), cell(ws, r.module_version),
                       cell(ws, r.score), cell(ws, r.source), cell(ws, r.certificate_code)])
            count += 1
            if progress and not count % PROGRESS_EVERY:
                progress(PROGRESS_EVERY)
    if progress:
        progress(count % PROGRESS_EVERY)
    ws.append([])
    ws.append([cell(ws, f"{count} completion{'' if count == 1 else 's'}.", font=BOLD)])
    wb.save(out)
    return {"completions": count}


def expected_rows(module: Module, agency_ids: tuple[int, ...] | None, start: date | None, end: date | None) -> int:
    query = _query(module, agency_ids, start, end)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _query(module: Module, agency_ids: tuple[int, ...] | None, start: date | None, end: date | None):
    query = (
        select(User.name, User.email, User.agency_id, User.team_id, User.job_title, Completion.completed_at,
               Completion.expires_at, Completion.module_version, Completion.score, Completion.source,
               Completion.certificate_code)
        .join(User, User.id == Completion.user_id)
        .join(Agency, Agency.id == User.agency_id)
        .where(Completion.module_id == module.id, Completion.revoked_at.is_(None))
        .order_by(Completion.completed_at, User.name)
    )
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    if start:
        query = query.where(Completion.completed_at >= datetime.combine(start, time.min))
    if end:
        query = query.where(Completion.completed_at < datetime.combine(end + timedelta(days=1), time.min))
    return query
