"""Reading an upload into rows: `parse` turns the bytes of an .xlsx or .csv file into
`SourceRow`s, or refuses the file with a message a coordinator can act on.

Every cell (its first MAX_CELL_CHARS characters) goes through learning.text.clean (NFC,
nothing XML 1.0 forbids), then has its control characters and runs of spaces made single
spaces. Every row counts towards the
row limit, blank ones included, so a file of a million empty rows costs no more to refuse
than one of a million staff.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from learning.people.staff_import.limits import MAX_CELL_CHARS, MAX_COLUMNS, Deadline, too_many_columns, too_many_rows
from learning.people.staff_import.rows import SAVE_AS_XLSX, ImportFileError, ParsedFile, SourceRow
from learning.people.staff_import.workbook import xlsx_table
from learning.text import clean

COLUMNS = {
    "name": "name", "full name": "name",
    "email": "email", "email address": "email", "e-mail": "email", "e-mail address": "email",
    "job title": "job_title", "jobtitle": "job_title",
    "team": "team",
    "agency": "agency",
}
COLUMN_LABELS = {"name": "name", "email": "email", "job_title": "job title", "team": "team", "agency": "agency"}
REQUIRED = ("name", "email")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def parse(filename: str, data: bytes, max_rows: int) -> ParsedFile:
    """Read an uploaded file into rows, or raise ImportFileError saying what is wrong."""
    suffix = _suffix(filename)
    if not data:
        raise ImportFileError("The file is empty.")
    deadline = Deadline()
    table = xlsx_table(data, max_rows, deadline) if suffix == ".xlsx" else _csv_table(data)
    return _rows_from_table(table, max_rows, deadline)


def _suffix(filename: str) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise ImportFileError("Macro-enabled workbooks are not accepted. " + SAVE_AS_XLSX)
    if suffix == ".xls":
        raise ImportFileError("This is an old-style Excel file (.xls). " + SAVE_AS_XLSX)
    if suffix not in (".xlsx", ".csv"):
        raise ImportFileError("The file must be an Excel workbook (.xlsx) or a CSV file (.csv).")
    return suffix


def _csv_text(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError("The file ends in .csv but it is an Excel workbook. Rename it to end in .xlsx, "
                              "or save it from Excel as 'CSV UTF-8 (Comma delimited)'.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is not saved as UTF-8 text, so some of it cannot be read. In Excel, choose "
                              "Save as, then 'CSV UTF-8 (Comma delimited)', and upload that file.") from None
    # NUL in the headings means binary data or UTF-16 text (whose every other byte is NUL
    # in English); a stray NUL in a cell is removed with the rest of what XML forbids.
    if "\x00" in text.split("\n", 1)[0]:
        raise ImportFileError("This does not look like a CSV file: it contains binary data. Upload a CSV file "
                              "saved from Excel as 'CSV UTF-8 (Comma delimited)', or the workbook itself (.xlsx).")
    return text


def _csv_table(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _csv_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    lines = _Lines(text, delimiter)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, values in enumerate(reader, 1):
            lines.next_record(number + 1)
            yield number, values
    except csv.Error as exc:
        raise ImportFileError(f"Row {number + 1} of the CSV file cannot be read ({exc}). Check that every "
                              "quotation mark is closed, or upload the workbook (.xlsx) instead.") from None


class _Lines:
    """The lines of a CSV text for csv.reader, refusing a record with more delimiters than
    any staff list has before csv makes a list of its fields (a 5 MB row of one-letter
    fields would be a list of millions). Quoted delimiters count too, hence the margin."""

    MAX_DELIMITERS = MAX_COLUMNS * 100

    def __init__(self, text: str, delimiter: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self._delimiter = delimiter
        self._record = 1
        self._delimiters = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._delimiters += line.count(self._delimiter)
        if self._delimiters > self.MAX_DELIMITERS:
            raise too_many_columns(self._record)
        return line

    def next_record(self, number: int) -> None:
        self._record = number
        self._delimiters = 0


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        value = value.isoformat()
    return " ".join(_CONTROL.sub(" ", clean(str(value)[:MAX_CELL_CHARS])).split())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _columns(headings: list[str]) -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    ignored = []
    for index, heading in enumerate(headings):
        key = COLUMNS.get(" ".join(heading.replace("_", " ").lower().split()))
        if key is None:
            if heading:
                ignored.append(heading)
            continue
        if key in found:
            raise ImportFileError(f"There are two '{COLUMN_LABELS[key]}' columns ({_column_letter(found[key])} and "
                                  f"{_column_letter(index)}). Keep one and upload the file again.")
        found[key] = index
    missing = [COLUMN_LABELS[k] for k in REQUIRED if k not in found]
    if missing:
        raise ImportFileError(
            "The first row must be the column headings: name, email, job title, team and agency. "
            f"There is no {' or '.join(repr(m) for m in missing)} column.")
    return found, ignored


def _bounded(table: Iterable[tuple[int, Iterable]], max_rows: int, deadline: Deadline) -> Iterator[tuple[int, list[str]]]:
    """The rows of `table` as cleaned texts, refusing the file at the first row (blank or
    not) beyond the headings and `max_rows` more, or wider than MAX_COLUMNS."""
    for number, values in table:
        deadline.check()
        if number > max_rows + 1:
            raise too_many_rows(max_rows)
        values = list(values)
        if len(values) > MAX_COLUMNS:
            raise too_many_columns(number)
        yield number, [_text(v) for v in values]


def _source_row(number: int, texts: list[str], columns: dict[str, int]) -> SourceRow:
    def cell(key: str) -> str:
        index = columns.get(key)
        return texts[index] if index is not None and index < len(texts) else ""

    return SourceRow(number, cell("name"), cell("email"), cell("job_title"), cell("team"), cell("agency"))


def _rows_from_table(table: Iterable[tuple[int, Iterable]], max_rows: int, deadline: Deadline) -> ParsedFile:
    columns: dict[str, int] | None = None
    ignored: list[str] = []
    rows: list[SourceRow] = []
    for number, texts in _bounded(table, max_rows, deadline):
        if not any(texts):
            continue
        if columns is None:
            columns, ignored = _columns(texts)
        else:
            rows.append(_source_row(number, texts, columns))
    if columns is None:
        raise ImportFileError("The file is empty: it has no column headings and no staff.")
    if not rows:
        raise ImportFileError("The file has column headings but no staff in the rows below them.")
    return ParsedFile(rows=rows, ignored_columns=ignored)
