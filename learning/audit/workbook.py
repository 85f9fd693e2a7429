"""The audit trail for a date range as a workbook: each event's time, who, the sentence that
says what happened, and the record as stored (action code and details) for anyone who needs
the exact entry. Streamed in batches, each batch's people and things loaded in a few queries."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import IO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from learning.audit.sentences import Lookups, plain, sentence
from learning.exports.cells import DATE_TIME_FORMAT, TITLE, WRAP, cell, heading_row, print_setup, produced_on
from learning.extensions import db
from learning.models import AuditEvent

BATCH = 1000
TITLES = ["When (UTC)", "Who", "What happened", "Action code", "Details as recorded", "IP address"]


def build(out: IO[bytes] | str, start: date, end: date, generated_by: str) -> dict:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Audit trail")
    print_setup(ws, "Audit trail", [18, 28, 60, 22, 40, 16], title_rows="4:4", title_columns="A:A")
    ws.freeze_panes = "A5"  # a write-only sheet writes its panes before the first row
    ws.append([cell(ws, f"Audit trail from {produced_on(start)} to {produced_on(end)}", font=TITLE)])
    ws.append([cell(ws, f"Produced by {generated_by}. Times are UTC. Entries cannot be changed or deleted.")])
    ws.append([])
    ws.append(heading_row(ws, 4, TITLES))
    query = (select(AuditEvent)
             .where(AuditEvent.at >= datetime.combine(start, time.min),
                    AuditEvent.at < datetime.combine(end + timedelta(days=1), time.min))
             .order_by(AuditEvent.at, AuditEvent.id))
    count, last_id, last_at = 0, 0, datetime.min
    while True:
        # Keyset pages: (at, id) after the last row written. The session holds rows weakly, so
        # each batch is let go once written.
        page = query.where((AuditEvent.at > last_at) | ((AuditEvent.at == last_at) & (AuditEvent.id > last_id)))
        batch = list(db.session.scalars(page.limit(BATCH)))
        if not batch:
            break
        found = Lookups.load(batch)
        for event in batch:
            ws.append([cell(ws, event.at, number_format=DATE_TIME_FORMAT), cell(ws, _who(event, found)),
                       cell(ws, plain(sentence(event, found)), alignment=WRAP),
                       cell(ws, event.action), cell(ws, event.detail, alignment=WRAP), cell(ws, event.ip or "")])
        count += len(batch)
        last_at, last_id = batch[-1].at, batch[-1].id
    ws.auto_filter.ref = f"A4:{get_column_letter(len(TITLES))}{4 + max(count, 1)}"
    wb.save(out)
    return {"events": count}


def _who(event: AuditEvent, found: Lookups) -> str:
    """Who acted, as the page names them: an erased person is not named again here."""
    who = found.users.get(event.actor_id or 0)
    if who is not None:
        return "An erased person" if who.erased_at is not None else who.name
    return event.actor_email or ""
