"""Reading the first worksheet of an .xlsx upload, safely.

In order: the bytes must be a zip (not an old .xls, not text), the zip a workbook without
macros and not too large unpacked; then bounds.scan reads every XML part once, bounded;
only then does openpyxl open the file, read-only and values-only, with defusedxml
installed so that it refuses entity declarations on its own as well.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from learning.people.staff_import.bounds import ZIP_ERRORS, scan
from learning.people.staff_import.limits import COPY_INTO_NEW, MAX_UNPACKED_BYTES, Deadline, damaged
from learning.people.staff_import.rows import SAVE_AS_XLSX, ImportFileError

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def xlsx_table(data: bytes, max_rows: int, deadline: Deadline) -> Iterator[tuple[int, tuple]]:
    """Each row of the first worksheet as (row number, values), or ImportFileError."""
    _refuse_if_not_zip(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        raise damaged() from None
    _check_members(archive)
    scan(archive, max_rows, deadline)
    yield from openpyxl_rows(data)


def _refuse_if_not_zip(data: bytes) -> None:
    if data.startswith(_OLE):
        raise ImportFileError("This is an old-style Excel file (.xls) or a password-protected workbook. "
                              "Remove any password, then save it as an Excel Workbook (.xlsx) and upload that file.")
    if data.startswith(b"PK"):
        return
    if _looks_like_text(data):
        raise ImportFileError("The file ends in .xlsx but it is not an Excel workbook: it looks like a CSV or "
                              "text file. Rename it to end in .csv, or " + SAVE_AS_XLSX[0].lower() + SAVE_AS_XLSX[1:])
    raise ImportFileError("The file ends in .xlsx but it is not an Excel workbook. " + SAVE_AS_XLSX)


def _looks_like_text(data: bytes) -> bool:
    try:
        sample = data[:4096].decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        # The sample may end in the middle of a character.
        try:
            sample = data[:4093].decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
    return "\x00" not in sample and all(ch.isprintable() or ch in "\r\n\t" for ch in sample)


def _check_members(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    names = {m.filename.lower() for m in members}
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError("The workbook is too large once unpacked. " + COPY_INTO_NEW)
    if any(n.endswith("vbaproject.bin") for n in names) or _declares_macros(archive, names):
        raise ImportFileError("This workbook contains macros, which are not accepted. " + SAVE_AS_XLSX)
    if "xl/workbook.xml" not in names:
        raise ImportFileError("The file ends in .xlsx but it is not an Excel workbook (it may be another kind of "
                              "document). " + SAVE_AS_XLSX)


def _declares_macros(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if "[content_types].xml" not in names:
        return False
    try:
        return b"macroenabled" in archive.read("[Content_Types].xml").lower()
    except ZIP_ERRORS:
        raise damaged() from None


def openpyxl_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    """The rows as openpyxl reads them, every failure a plain ImportFileError. On its own
    (without bounds.scan first) this is the second line of defence, not a safe reader."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file; each means "cannot read"
        raise _unreadable(exc) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no worksheet with staff in it.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        yield from _numbered(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _numbered(rows: Iterator[tuple]) -> Iterator[tuple[int, tuple]]:
    try:
        yield from enumerate(rows, 1)
    except Exception as exc:  # noqa: BLE001 - as in openpyxl_rows
        raise _unreadable(exc) from None


def _unreadable(exc: BaseException) -> ImportFileError:
    if _defused(exc):
        return ImportFileError("The workbook contains XML that is not allowed (entity declarations), so it was "
                               "not opened. " + SAVE_AS_XLSX)
    return damaged()


def _defused(exc: BaseException | None) -> bool:
    from defusedxml import DefusedXmlException

    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DefusedXmlException):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
