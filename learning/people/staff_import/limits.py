"""How much work reading one upload may cost, and what a coordinator is told when a file
goes beyond it.

An upload is at most 5 MB, but a zip member can unpack to a thousand times its size and
XML can nest without end, so the size limit alone bounds nothing. Every bound here is far
above what a staff list of `STAFF_IMPORT_MAX_ROWS` rows needs, and low enough that refusing
a hostile file costs a worker well under 100 MB and 2 seconds.
"""
from __future__ import annotations

import time

from learning.people.staff_import.rows import SAVE_AS_XLSX, ImportFileError

# All the parts of a workbook together, unpacked (a 5,000-row staff list is about 2 MB).
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
# SpreadsheetML nests a dozen deep at most, charts and drawings included.
MAX_XML_DEPTH = 64
# All the parts together: a 5,000-row list of five columns has about 80,000 elements, and
# one with twenty columns (staff lists exported from HR systems carry extra) about 220,000.
MAX_XML_ELEMENTS = 300_000
# Bytes of XML between one tag and the next: text (a cell holds at most 32,767 characters,
# up to 160 KB escaped) or a single tag.
MAX_XML_RUN_BYTES = 256 * 1024
# Characters of a cell that are read: a name, job title or team may have 200 and an email
# address 254, so the rest of a longer cell would only cost time to clean and check.
MAX_CELL_CHARS = 1_000
# Columns per row, and the width a sheet may declare; blank columns count.
MAX_COLUMNS = 100
# Processor time for reading the whole file, openpyxl included: the backstop for work the
# bounds above miss. Processor time, not the clock, so that a busy server does not refuse
# a good file because other requests had the processor.
READ_SECONDS = 1.5

COPY_INTO_NEW = "Copy the staff list into a new workbook and upload that."


class Deadline:
    """How much of this thread's processor time reading may use; `check` refuses the file
    once it has used it."""

    def __init__(self, seconds: float | None = None) -> None:
        self.ends = time.thread_time() + (READ_SECONDS if seconds is None else seconds)

    def check(self) -> None:
        if time.thread_time() > self.ends:
            raise ImportFileError("The file took too long to read, so nothing was imported. " + COPY_INTO_NEW)


def damaged() -> ImportFileError:
    """Any failure of the zip or XML layer: a bad compressed stream, a bad checksum, a cut-off
    part, XML that is not well formed."""
    return ImportFileError("The workbook is damaged or incomplete: it may not have finished saving or uploading. "
                           + SAVE_AS_XLSX)


def too_complex() -> ImportFileError:
    return ImportFileError("The workbook has far more in it than a staff list needs, so it was not opened. "
                           + COPY_INTO_NEW)


def too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(f"The file has more than {max_rows:,} rows of staff. Blank rows count too, so delete "
                           f"any below the staff list. Split a longer list into files of {max_rows:,} rows or fewer "
                           "and import each one.")


def too_many_columns(row: int | None = None) -> ImportFileError:
    where = f"Row {row} of the file" if row else "The sheet"
    return ImportFileError(f"{where} has more than {MAX_COLUMNS} columns, counting blank ones. " + COPY_INTO_NEW)
