"""The upload between preview and confirm: the parsed rows wait in the file store
(learning/storage.py: a folder, or the shared database), owned by the uploader, for an hour
at most; the confirm step validates them again."""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field

from learning.models import Agency, User
from learning.people.staff_import.rows import ParsedFile, SourceRow
from learning.storage import store

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


def _key(token: str) -> str | None:
    return f"uploads/{token}.json" if _TOKEN.match(token or "") else None


def sweep_uploads() -> int:
    """Delete uploads older than an hour. Called on every new upload, and by the worker's
    periodic clean-up."""
    return store().sweep("uploads", UPLOAD_LIFETIME_SECONDS)


def save_upload(owner: User, filename: str, parsed: ParsedFile, default_agency: Agency | None) -> str:
    """Keep the parsed rows in the file store (learning/storage.py), so that the confirm
    step may come to any web host."""
    sweep_uploads()
    token = secrets.token_urlsafe(32)
    payload = {"owner": owner.id, "created": time.time(), "filename": filename,
               "default_agency_id": default_agency.id if default_agency else None,
               "ignored_columns": parsed.ignored_columns, "rows": [r.as_list() for r in parsed.rows]}
    store().put(f"uploads/{token}.json", json.dumps(payload).encode("utf-8"))
    return token


def load_upload(token: str, owner: User) -> StoredUpload | None:
    """The upload `owner` made under `token`; None if there is none (or it is someone
    else's); UploadExpired if it is theirs but older than an hour (it is then deleted)."""
    key = _key(token)
    data = store().read(key) if key else None
    if data is None:
        return None
    try:
        payload = json.loads(data.decode("utf-8"))
    except ValueError:
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
    key = _key(token)
    if key is not None:
        store().delete(key)
