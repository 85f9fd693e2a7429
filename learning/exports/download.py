"""Sending a workbook: every export download ends the same way, here."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

from flask import Response, send_file

from learning import audit

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_workbook(build: Callable[[IO[bytes]], dict], action: str, detail: dict, download_name: str) -> Response:
    """Build a workbook into a temporary file (`build(out)` writes it and returns counts for
    the audit trail), record the export as `action` with `detail` and those counts, and send
    the file as a download. The file lives on disk, not in memory, and is deleted once sent;
    a build that fails records nothing and leaves nothing behind."""
    out = tempfile.TemporaryFile()
    try:
        counts = build(out)
    except BaseException:
        out.close()
        raise
    # A count never replaces what the detail says (the compliance workbook counts "agencies",
    # and the detail names the agencies chosen): a clashing count is kept as "<name>_count".
    audit.record(action, {**detail, **{f"{k}_count" if k in detail else k: v for k, v in counts.items()}})
    out.seek(0)
    return send_file(out, mimetype=XLSX_MIME, as_attachment=True, download_name=download_name)
