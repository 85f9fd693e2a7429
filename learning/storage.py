"""Files that outlive a request, behind one interface: staff-import uploads between preview
and confirm, evidence of external learning, finished workbooks.

`store()` answers with the store FILE_STORE names:
- "folder" (the default): files under the instance folder, as on one machine before. Keys
  map to folders: "uploads/..." to STAFF_IMPORT_DIR, "evidence/..." to instance/evidence,
  "workbooks/..." to JOB_FILE_DIR.
- "database": chunks of 1 MB in the `stored_file_chunk` table of the app's own database, so
  every web and worker host that shares the database shares the files, with no other
  service to run, secure or back up (pg_dump takes them with the records they belong to).

Keys are "<kind>/<name>" with letters, digits, dots, dashes and underscores only, chosen by
the app (random tokens), never by a person. Files are read and written in chunks, so a
100 MB workbook never sits whole in memory.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Protocol

from flask import current_app
from sqlalchemy import DateTime, Integer, LargeBinary, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import Model, db
from learning.models import utcnow

CHUNK = 1024 * 1024
_KEY = re.compile(r"^(uploads|evidence|workbooks)/[A-Za-z0-9_.-]{1,120}$")


class StoredFileChunk(Model):
    """One piece of a stored file (FILE_STORE=database): the file is its chunks in `seq` order."""

    __tablename__ = "stored_file_chunk"
    key: Mapped[str] = mapped_column(String(140), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class FileStore(Protocol):
    def put(self, key: str, source: IO[bytes] | bytes) -> int: ...
    def chunks(self, key: str) -> Iterator[bytes]: ...
    def read(self, key: str) -> bytes | None: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def sweep(self, kind: str, older_than_seconds: float) -> int: ...


def check_key(key: str) -> str:
    if not _KEY.match(key or "") or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def _pieces(source: IO[bytes] | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        for start in range(0, len(source), CHUNK):
            yield source[start:start + CHUNK]
        if not source:
            yield b""
        return
    first = True
    while piece := source.read(CHUNK):
        first = False
        yield piece
    if first:
        yield b""


class FolderStore:
    """Files in folders on this host (one machine)."""

    def __init__(self, roots: dict[str, Path]):
        self.roots = roots

    def path(self, key: str) -> Path:
        kind, _, name = check_key(key).partition("/")
        folder = self.roots[kind]
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder / name

    def put(self, key: str, source: IO[bytes] | bytes) -> int:
        path = self.path(key)
        temporary = path.with_name(path.name + ".part")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        size = 0
        with os.fdopen(fd, "wb") as handle:
            for piece in _pieces(source):
                handle.write(piece)
                size += len(piece)
        os.replace(temporary, path)
        return size

    def chunks(self, key: str) -> Iterator[bytes]:
        with self.path(key).open("rb") as handle:
            while piece := handle.read(CHUNK):
                yield piece

    def read(self, key: str) -> bytes | None:
        path = self.path(key)
        return path.read_bytes() if path.is_file() else None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def sweep(self, kind: str, older_than_seconds: float) -> int:
        removed = 0
        now = time.time()
        for path in self.path(f"{kind}/x").parent.iterdir():
            try:
                if path.is_file() and now - path.stat().st_mtime > older_than_seconds:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed


class DatabaseStore:
    """Files in the app's database (every host that shares the database shares them).

    Writes go through a connection of their own and commit at once, so a file is there for
    every host as soon as `put` returns, whatever the caller's session does next."""

    def put(self, key: str, source: IO[bytes] | bytes) -> int:
        check_key(key)
        size = 0
        with db.engine.begin() as conn:
            conn.execute(delete(StoredFileChunk).where(StoredFileChunk.key == key))
            for seq, piece in enumerate(_pieces(source)):
                conn.execute(insert(StoredFileChunk).values(key=key, seq=seq, data=piece, created_at=utcnow()))
                size += len(piece)
        return size

    def chunks(self, key: str) -> Iterator[bytes]:
        check_key(key)
        table = StoredFileChunk.__table__
        with db.engine.connect() as conn:
            count = conn.scalar(select(func.count()).where(table.c.key == key)) or 0
            for seq in range(count):  # one chunk in memory at a time
                yield conn.scalar(select(table.c.data).where(table.c.key == key, table.c.seq == seq)) or b""

    def read(self, key: str) -> bytes | None:
        if not self.exists(key):
            return None
        return b"".join(self.chunks(key))

    def exists(self, key: str) -> bool:
        table = StoredFileChunk.__table__
        with db.engine.connect() as conn:
            return conn.scalar(select(table.c.seq).where(table.c.key == check_key(key), table.c.seq == 0)) is not None

    def delete(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(StoredFileChunk).where(StoredFileChunk.key == check_key(key)))

    def sweep(self, kind: str, older_than_seconds: float) -> int:
        table = StoredFileChunk.__table__
        cutoff = utcnow() - timedelta(seconds=older_than_seconds)
        with db.engine.begin() as conn:
            keys = conn.scalars(select(table.c.key).where(table.c.key.startswith(f"{kind}/"), table.c.seq == 0,
                                                          table.c.created_at < cutoff)).all()
            if keys:
                conn.execute(delete(StoredFileChunk).where(StoredFileChunk.key.in_(keys)))
        return len(keys)


def store() -> FileStore:
    """The store FILE_STORE names, for the current app."""
    config = current_app.config
    if config.get("FILE_STORE") == "database":
        return DatabaseStore()
    instance = Path(current_app.instance_path)
    return FolderStore({"uploads": Path(config["STAFF_IMPORT_DIR"]), "evidence": instance / "evidence",
                        "workbooks": Path(config.get("JOB_FILE_DIR") or instance / "workbooks")})


def copy_to(key: str, out: IO[bytes]) -> None:
    """Write the stored file into `out` (for tests and the command line)."""
    for piece in store().chunks(key):
        out.write(piece)


__all__ = ["DatabaseStore", "FileStore", "FolderStore", "StoredFileChunk", "check_key", "copy_to", "store"]
