"""One pass over every XML part of a workbook before openpyxl opens it, so that a hostile
file is refused for the cost of reading it once, in small pieces.

The pass reads each part through the zip layer to its end (so a bad compressed stream,
checksum or cut-off part shows here, as "damaged") and through expat, counting as it goes:
how deep elements nest, how many there are in all the parts together, how far apart two
tags are (so that expat never holds a long token, nor openpyxl a long text), and in a
worksheet the row and column of each cell and the size the sheet declares. Any count beyond its
bound in limits.py refuses the file there and then. A document type declaration is refused
too: openpyxl would refuse its entities (defusedxml is installed), but only after reading
everything before them.
"""
from __future__ import annotations

import lzma
import re
import struct
import zipfile
import zlib
from xml.parsers import expat

from learning.people.staff_import.limits import (
    MAX_COLUMNS,
    MAX_XML_DEPTH,
    MAX_XML_ELEMENTS,
    MAX_XML_RUN_BYTES,
    Deadline,
    damaged,
    too_complex,
    too_many_columns,
    too_many_rows,
)
from learning.people.staff_import.rows import SAVE_AS_XLSX, ImportFileError

XML_PARTS = (".xml", ".rels", ".vml")
CHUNK_BYTES = 64 * 1024
# Everything the zip layer raises for a damaged member: a bad deflate stream (zlib.error),
# a bad checksum or header (BadZipFile), a cut-off member (EOFError), an encrypted or
# unsupported one (RuntimeError, NotImplementedError).
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError,
              RuntimeError, NotImplementedError, struct.error)
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def doctype_refused() -> ImportFileError:
    return ImportFileError("The workbook contains XML that is not allowed (a document type declaration), so it "
                           "was not opened. " + SAVE_AS_XLSX)


def scan(archive: zipfile.ZipFile, max_rows: int, deadline: Deadline) -> None:
    """Read every XML part of `archive`, or raise ImportFileError at the first bound passed."""
    counted = _Counted()
    for member in archive.infolist():
        if member.filename.lower().endswith(XML_PARTS):
            _scan_part(archive, member, _PartScanner(counted, max_rows), deadline)


class _Counted:
    """The count of elements across all the parts of one workbook."""

    elements = 0


class _PartScanner:
    """expat's handlers for one part: counts, and refuses by raising."""

    def __init__(self, counted: _Counted, max_rows: int) -> None:
        self.counted = counted
        self.max_rows = max_rows
        self.depth = 0
        self.in_worksheet = False
        self.row = 0
        self.column = 0
        self.fed = 0
        self.last_tag = 0
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.StartDoctypeDeclHandler = _refuse_doctype

    def feed(self, chunk: bytes) -> None:
        self.parser.Parse(chunk, not chunk)
        self.fed += len(chunk)
        # expat keeps a token it has not finished (a start tag, a comment) in memory.
        self._within_run(self.fed - self.parser.CurrentByteIndex)

    def _within_run(self, length: int) -> None:
        if length > MAX_XML_RUN_BYTES:
            raise too_complex()

    def _tag(self) -> None:
        at = self.parser.CurrentByteIndex
        self._within_run(at - self.last_tag)
        self.last_tag = at

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self._tag()
        self.depth += 1
        self.counted.elements += 1
        if self.depth > MAX_XML_DEPTH or self.counted.elements > MAX_XML_ELEMENTS:
            raise too_complex()
        local = name.rpartition(" ")[2]
        if self.depth == 1:
            self.in_worksheet = local == "worksheet"
        elif self.in_worksheet:
            self._worksheet_element(local, attributes)

    def end(self, name: str) -> None:
        self._tag()
        self.depth -= 1

    def _worksheet_element(self, local: str, attributes: dict[str, str]) -> None:
        if local == "row":
            self.row = _row_number(attributes.get("r"), self.row + 1)
            self.column = 0
            if self.row > self.max_rows + 1:
                raise too_many_rows(self.max_rows)
        elif local == "c":
            self.column = _cell(attributes.get("r"), (self.row, self.column + 1))[1]
            if self.column > MAX_COLUMNS:
                raise too_many_columns(self.row)
        elif local == "dimension":
            self._declared(attributes.get("ref", ""))

    def _declared(self, ref: str) -> None:
        """The size the sheet says it is ("A1:E5001"): refused if beyond the bounds, although
        the rows are read as they are, whatever the sheet declares."""
        last = ref.rpartition(":")[2]
        if not _CELL.fullmatch(last):
            return
        row, column = _cell(last, (0, 0))
        if row > self.max_rows + 1:
            raise too_many_rows(self.max_rows)
        if column > MAX_COLUMNS:
            raise too_many_columns()


def _row_number(value: str | None, otherwise: int) -> int:
    if value is None:
        return otherwise
    if not value.isdigit():
        raise damaged()
    return int(value)


def _cell(ref: str | None, otherwise: tuple[int, int]) -> tuple[int, int]:
    """The (row, column) of a reference like "AB12", both counted from 1."""
    if ref is None:
        return otherwise
    match = _CELL.fullmatch(ref)
    if match is None:
        raise too_many_columns() if ref[:4].isalpha() else damaged()
    column = 0
    for letter in match[1].upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match[2]), column


def _refuse_doctype(*args) -> None:
    raise doctype_refused()


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, scanner: _PartScanner, deadline: Deadline) -> None:
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                scanner.feed(chunk)
                deadline.check()
        scanner.feed(b"")
    except ImportFileError:
        raise
    except (*ZIP_ERRORS, expat.ExpatError):
        raise damaged() from None
