"""Sending a workbook: every export download ends the same way, here."""
from __future__ import annotations

import tempfile
from typing import IO
from collections.abc import Callable

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
    audit.record(action, {**detail, **counts})
    out.seek(0)
    return send_file(out, mimetype=XLSX_MIME, as_attachment=True, download_name=download_name)
