"""What a staff file reads into, and the error that says a file cannot be used."""
from __future__ import annotations

from dataclasses import dataclass, field

SAVE_AS_XLSX = "Open it in Excel, save it as an Excel Workbook (.xlsx) and upload that file."


class ImportFileError(ValueError):
    """The file as a whole cannot be used; the message says why in plain English."""


@dataclass(frozen=True)
class SourceRow:
    """One row of the file as written, with the row number a spreadsheet shows for it."""

    number: int
    name: str
    email: str
    job_title: str = ""
    team: str = ""
    agency: str = ""

    def as_list(self) -> list:
        return [self.number, self.name, self.email, self.job_title, self.team, self.agency]

    @classmethod
    def from_list(cls, values: list) -> SourceRow:
        number, *texts = values
        return cls(int(number), *(str(t) for t in texts))


@dataclass
class ParsedFile:
    rows: list[SourceRow]
    ignored_columns: list[str] = field(default_factory=list)
