"""The upload between preview and confirm: the parsed rows wait server-side, owned by the
uploader, for an hour at most; the confirm step validates them again."""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from learning.models import Agency, User
from learning.people.staff_import.rows import ParsedFile, SourceRow

UPLOAD_LIFETIME_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


class UploadExpired(Exception):
    pass


@dataclass
class StoredUpload:
    token: str
    filename: str
    default_agency_id: int | None
    rows: list[SourceRow]
    ignored_columns: list[str] = field(default_factory=list)


def _upload_dir() -> Path:
    path = Path(current_app.config["STAFF_IMPORT_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _upload_path(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return _upload_dir() / f"{token}.json"


def sweep_uploads(now: float | None = None) -> int:
    """Delete uploads older than an hour. Called on every new upload."""
    now = now if now is not None else time.time()
    removed = 0
    for path in _upload_dir().glob("*.json"):
        try:
            if now - path.stat().st_mtime > UPLOAD_LIFETIME_SECONDS:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed


def save_upload(owner: User, filename: str, parsed: ParsedFile, default_agency: Agency | None) -> str:
    sweep_uploads()
    token = secrets.token_urlsafe(32)
    path = _upload_dir() / f"{token}.json"
    payload = {"owner": owner.id, "created": time.time(), "filename": filename,
               "default_agency_id": default_agency.id if default_agency else None,
               "ignored_columns": parsed.ignored_columns, "rows": [r.as_list() for r in parsed.rows]}
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
    os.replace(temporary, path)
    return token


def load_upload(token: str, owner: User) -> StoredUpload | None:
    """The upload `owner` made under `token`; None if there is none (or it is someone
    else's); UploadExpired if it is theirs but older than an hour (it is then deleted)."""
    path = _upload_path(token)
    if path is None or not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("owner") != owner.id:
        return None
    if time.time() - float(payload.get("created", 0)) > UPLOAD_LIFETIME_SECONDS:
        discard_upload(token)
        raise UploadExpired(token)
    return StoredUpload(token=token, filename=payload.get("filename", ""),
                        default_agency_id=payload.get("default_agency_id"),
                        rows=[SourceRow.from_list(r) for r in payload["rows"]],
                        ignored_columns=[str(c) for c in payload.get("ignored_columns", [])])


def discard_upload(token: str) -> None:
    path = _upload_path(token)
    if path is not None:
        path.unlink(missing_ok=True)
