"""Staff import from an .xlsx or .csv file: parse -> rows -> validate -> preview -> apply.

- `parse` turns the uploaded bytes into `SourceRow`s, refusing anything that is not a plain
  workbook or UTF-8 CSV with a message a coordinator can act on (`ImportFileError`).
  Workbooks are opened with openpyxl in read-only, values-only mode; defusedxml is
  installed, so openpyxl refuses XML entity declarations, and we refuse them (and macros,
  and zip bombs) before openpyxl sees the file.
- `validate` checks every row against the database and the importer's scope and says what
  will happen to each (`Preview`). It writes nothing.
- `apply` makes every change of a preview without errors in one transaction.
- Between preview and confirm the parsed rows wait server-side (`save_upload`), owned by
  the uploader, for an hour at most; the confirm step validates them again.

The web pages (learning/admin/imports.py) and `flask import-staff` (learning/cli.py) are
thin wrappers around these functions.
"""
from __future__ import annotations

import csv
import enum
import io
import json
import os
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from .accounts import send_invitations
from .audit import record
from .extensions import db
from .models import Agency, Role, Team, User

# Zip members may not unpack to more than this in total (a 5,000-row staff list is ~2 MB).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
UPLOAD_LIFETIME_SECONDS = 60 * 60
MAX_TEXT = 200

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
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

SAVE_AS_XLSX = "Open it in Excel, save it as an Excel Workbook (.xlsx) and upload that file."


class ImportFileError(ValueError):
    """The file as a whole cannot be used; the message says why in plain English."""


# --- parse -------------------------------------------------------------------------------


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
    has_agency_column: bool
    ignored_columns: list[str] = field(default_factory=list)


def parse(filename: str, data: bytes, max_rows: int) -> ParsedFile:
    """Read an uploaded file into rows, or raise ImportFileError saying what is wrong."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise ImportFileError("Macro-enabled workbooks are not accepted. " + SAVE_AS_XLSX)
    if suffix == ".xls":
        raise ImportFileError("This is an old-style Excel file (.xls). " + SAVE_AS_XLSX)
    if suffix not in (".xlsx", ".csv"):
        raise ImportFileError("The file must be an Excel workbook (.xlsx) or a CSV file (.csv).")
    if not data:
        raise ImportFileError("The file is empty.")
    table = _xlsx_table(data) if suffix == ".xlsx" else _csv_table(data)
    return _rows_from_table(table, max_rows)


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


def _csv_table(data: bytes):
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError("The file ends in .csv but it is an Excel workbook. Rename it to end in .xlsx, "
                              "or save it from Excel as 'CSV UTF-8 (Comma delimited)'.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is not saved as UTF-8 text, so some of it cannot be read. In Excel, choose "
                              "Save as, then 'CSV UTF-8 (Comma delimited)', and upload that file.") from None
    if "\x00" in text:
        raise ImportFileError("This does not look like a CSV file: it contains binary data. Upload a CSV file "
                              "saved from Excel, or the workbook itself (.xlsx).")
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, values in enumerate(reader, 1):
            yield number, values
    except csv.Error as exc:
        raise ImportFileError(f"Row {number + 1} of the CSV file cannot be read ({exc}). Check that every "
                              "quotation mark is closed, or upload the workbook (.xlsx) instead.") from None


def _xlsx_table(data: bytes):
    if data.startswith(_OLE):
        raise ImportFileError("This is an old-style Excel file (.xls) or a password-protected workbook. "
                              "Remove any password, then save it as an Excel Workbook (.xlsx) and upload that file.")
    if not data.startswith(b"PK"):
        if _looks_like_text(data):
            raise ImportFileError("The file ends in .xlsx but it is not an Excel workbook: it looks like a CSV or "
                                  "text file. Rename it to end in .csv, or " + SAVE_AS_XLSX[0].lower() + SAVE_AS_XLSX[1:])
        raise ImportFileError("The file ends in .xlsx but it is not an Excel workbook. " + SAVE_AS_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportFileError("The workbook is damaged or incomplete: it may not have finished saving or uploading. "
                              + SAVE_AS_XLSX) from None
    _check_members(archive, members)
    yield from _worksheet_rows(data)


def _check_members(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    names = {m.filename.lower() for m in members}
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError("The workbook is too large once unpacked. Copy the staff list into a new workbook "
                              "and upload that.")
    try:
        content_types = archive.read("[Content_Types].xml")[:200_000] if "[content_types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        raise ImportFileError("The workbook is damaged or incomplete. " + SAVE_AS_XLSX) from None
    if any(n.endswith("vbaproject.bin") for n in names) or b"macroenabled" in content_types.lower():
        raise ImportFileError("This workbook contains macros, which are not accepted. " + SAVE_AS_XLSX)
    if "xl/workbook.xml" not in names:
        raise ImportFileError("The file ends in .xlsx but it is not an Excel workbook (it may be another kind of "
                              "document). " + SAVE_AS_XLSX)
    for member in members:
        if not member.filename.lower().endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(member) as stream:
                prolog = stream.read(65536)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
            raise ImportFileError("The workbook is damaged or incomplete: it may not have finished saving or "
                                  "uploading. " + SAVE_AS_XLSX) from None
        if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
            raise ImportFileError("The workbook contains XML that is not allowed (a document type declaration), "
                                  "so it was not opened. " + SAVE_AS_XLSX)


def _defused(exc: BaseException) -> bool:
    from defusedxml import DefusedXmlException

    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DefusedXmlException):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _unreadable(exc: BaseException) -> ImportFileError:
    if _defused(exc):
        return ImportFileError("The workbook contains XML that is not allowed (entity declarations), so it was "
                               "not opened. " + SAVE_AS_XLSX)
    return ImportFileError("The workbook could not be read: it may be damaged. " + SAVE_AS_XLSX)


def _worksheet_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file; each means "cannot read"
        raise _unreadable(exc) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no worksheet with staff in it.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                yield number, values
        except ImportFileError:
            raise
        except Exception as exc:
            raise _unreadable(exc) from None
    finally:
        workbook.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        value = value.isoformat()
    return " ".join(_CONTROL.sub(" ", str(value)).split())


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


def _rows_from_table(table, max_rows: int) -> ParsedFile:
    columns: dict[str, int] | None = None
    ignored: list[str] = []
    rows: list[SourceRow] = []
    for number, values in table:
        texts = [_text(v) for v in values]
        if not any(texts):
            continue
        if columns is None:
            columns, ignored = _columns(texts)
            continue
        if len(rows) >= max_rows:
            raise ImportFileError(f"The file has more than {max_rows:,} rows of staff. Split it into files of "
                                  f"{max_rows:,} rows or fewer and import each one.")

        def cell(key: str) -> str:
            index = columns.get(key)
            return texts[index] if index is not None and index < len(texts) else ""

        rows.append(SourceRow(number, cell("name"), cell("email"), cell("job_title"), cell("team"), cell("agency")))
    if columns is None:
        raise ImportFileError("The file is empty: it has no column headings and no staff.")
    if not rows:
        raise ImportFileError("The file has column headings but no staff in the rows below them.")
    return ParsedFile(rows=rows, has_agency_column="agency" in columns, ignored_columns=ignored)


# --- validate and preview ----------------------------------------------------------------


class Action(str, enum.Enum):
    NEW = "new"
    UPDATE = "update"
    MOVE = "move"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {"new": "New account", "update": "Update", "move": "Move agency", "unchanged": "No change",
                "error": "Error"}[self.value]

    @property
    def tag_class(self) -> str:
        return {"new": "govuk-tag--green", "update": "govuk-tag--blue", "move": "govuk-tag--purple",
                "unchanged": "govuk-tag--grey", "error": "govuk-tag--red"}[self.value]


@dataclass
class PreviewRow:
    source: SourceRow
    email: str
    agency: Agency | None = None
    team_name: str = ""
    user: User | None = None
    action: Action = Action.ERROR
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.source.number

    def describe(self) -> str:
        """What will happen, in a sentence."""
        details = self.errors or [*self.changes, *self.notes]
        return self.action.label + (": " + "; ".join(details) if details else "")


@dataclass
class Importer:
    """Who imports, and into what. `own_agency` is set for an agency lead: every row must be
    theirs. `default_agency` fills rows with no agency (a lead's own; the CLI's --agency)."""

    actor: User | None
    own_agency: Agency | None = None
    default_agency: Agency | None = None

    @classmethod
    def for_user(cls, user: User, default_agency: Agency | None = None) -> Importer:
        if user.has_role(Role.COORDINATOR):
            return cls(actor=user, default_agency=default_agency)
        own = db.session.get(Agency, user.agency_id) if user.agency_id else None
        return cls(actor=user, own_agency=own, default_agency=own)


@dataclass
class Preview:
    rows: list[PreviewRow]
    new_teams: dict[tuple[int, str], tuple[Agency, str]]

    @property
    def error_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.error_rows

    @property
    def error_messages(self) -> list[str]:
        return [f"Row {r.number}: {error}" for r in self.error_rows for error in r.errors]

    def count(self, action: Action) -> int:
        return sum(1 for r in self.rows if r.action is action)

    @property
    def counts(self) -> dict[str, int]:
        return {a.value: self.count(a) for a in Action}

    @property
    def invitations(self) -> int:
        return sum(1 for r in self.rows if r.action is Action.NEW or (r.user is not None and r.user.active
                                                                        and not r.user.password_hash))


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _normalised_email(raw: str) -> str | None:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def validate(rows: list[SourceRow], importer: Importer) -> Preview:
    """Check every row and say what would happen to it. Reads the database, writes nothing.

    A handful of queries whatever the number of rows: agencies, the accounts with these
    email addresses, and the teams of the agencies involved."""
    agencies = {a.name.lower(): a for a in db.session.scalars(select(Agency))}
    emails = {row.number: _normalised_email(row.email) for row in rows if row.email}
    wanted = sorted({e for e in emails.values() if e})
    existing: dict[str, User] = {}
    for chunk in _chunks(wanted):
        existing.update({u.email: u for u in db.session.scalars(select(User).where(User.email.in_(chunk)))})
    agency_ids = {a.id for a in agencies.values()} if importer.own_agency is None else {importer.own_agency.id}
    teams: dict[tuple[int, str], Team] = {
        (t.agency_id, t.name.lower()): t
        for t in db.session.scalars(select(Team).where(Team.agency_id.in_(agency_ids)))
    } if agency_ids else {}
    agency_names = {a.id: a.name for a in agencies.values()}
    actor_rank = importer.actor.role_enum.rank if importer.actor is not None else Role.ADMIN.rank

    first_row_of: dict[str, int] = {}
    new_teams: dict[tuple[int, str], tuple[Agency, str]] = {}
    preview_rows = []
    for source in rows:
        row = PreviewRow(source=source, email=emails.get(source.number) or source.email)
        errors = row.errors
        if not source.name:
            errors.append("the name is missing")
        elif len(source.name) > MAX_TEXT:
            errors.append(f"the name is longer than {MAX_TEXT} characters")
        if not source.email:
            errors.append("the email address is missing")
        elif emails.get(source.number) is None:
            errors.append(f"the email address '{source.email}' is not in the correct format, like name@example.org")
        elif row.email in first_row_of:
            errors.append(f"the email address {row.email} is also on row {first_row_of[row.email]}: "
                          "each person can be in the file only once")
        else:
            first_row_of[row.email] = source.number
        for label, value in (("job title", source.job_title), ("team", source.team)):
            if len(value) > MAX_TEXT:
                errors.append(f"the {label} is longer than {MAX_TEXT} characters")

        agency = None
        if importer.own_agency is not None:
            if source.agency and source.agency.lower() != importer.own_agency.name.lower():
                errors.append(f"the agency is '{source.agency}', but you can only import staff into "
                              f"{importer.own_agency.name}")
            else:
                agency = importer.own_agency
        elif source.agency:
            agency = agencies.get(source.agency.lower())
            if agency is None:
                errors.append(f"there is no agency called '{source.agency}'. Check the spelling against the "
                              "Agencies page")
        elif importer.default_agency is not None:
            agency = importer.default_agency
        else:
            errors.append("the agency is missing. Add an agency column, or choose one agency for the whole file")
        if agency is not None and not agency.active:
            errors.append(f"the agency {agency.name} is inactive, so staff cannot be imported into it")
            agency = None
        row.agency = agency

        user = existing.get(row.email) if emails.get(source.number) else None
        if user is not None:
            if importer.own_agency is not None and user.agency_id != importer.own_agency.id:
                errors.append(f"this person ({user.email}) belongs to another agency. Ask the partnership "
                              "training coordinator to move them")
                user = None
            elif user.role_enum.rank > actor_rank:
                errors.append(f"this person ({user.email}) has an account with the role "
                              f"'{user.role_enum.label}', which you cannot change")
                user = None
        row.user = user

        team_key = None
        if agency is not None and source.team and len(source.team) <= MAX_TEXT:
            team_key = (agency.id, source.team.lower())
            team = teams.get(team_key)
            row.team_name = team.name if team else new_teams.get(team_key, (agency, source.team))[1]
            if team is None and not errors:
                if team_key not in new_teams:
                    new_teams[team_key] = (agency, source.team)
                row.notes.append(f"the team '{row.team_name}' will be created in {agency.name}")

        if errors:
            row.action = Action.ERROR
        elif user is None:
            row.action = Action.NEW
            row.notes.append("an invitation link to set a password will be made")
        else:
            _describe_changes(row, user, agency, teams.get(team_key) if team_key else None, agency_names)
            if not user.active:
                row.notes.append("this account is deactivated and stays deactivated")
            elif not user.password_hash:
                row.notes.append("they have not set a password yet, so a new invitation link will be made")
        preview_rows.append(row)
    return Preview(rows=preview_rows, new_teams=new_teams)


def _describe_changes(row: PreviewRow, user: User, agency: Agency, team: Team | None,
                      agency_names: dict[int, str]) -> None:
    source = row.source
    moved = user.agency_id != agency.id
    if source.name != user.name:
        row.changes.append(f"name from '{user.name}' to '{source.name}'")
    if source.job_title and source.job_title != (user.job_title or ""):
        row.changes.append(f"job title to '{source.job_title}'")
    if source.team:
        if team is None or team.id != user.team_id:
            row.changes.append(f"team to '{row.team_name}'")
    elif moved and user.team_id is not None:
        row.changes.append("no team (their old team is in the other agency)")
    if moved:
        row.action = Action.MOVE
        row.notes.insert(0, f"moves from {agency_names.get(user.agency_id, 'no agency')} to {agency.name}")
    else:
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED


# --- apply -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[User]
    updated: int
    moved: int
    unchanged: int
    teams_created: int
    invite: list[User]
    invitations_sent: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": self.updated, "moved": self.moved,
                "unchanged": self.unchanged, "teams_created": self.teams_created}


def apply(preview: Preview, importer: Importer, filename: str = "") -> ImportResult:
    """Make every change in one transaction: all rows or none. Writes the audit event in the
    same transaction. Refuses a preview with errors."""
    if not preview.ok:
        raise ValueError("a preview with errors cannot be imported")
    try:
        teams: dict[tuple[int, str], Team] = {}
        for key, (agency, name) in preview.new_teams.items():
            teams[key] = Team(agency_id=agency.id, name=name)
            db.session.add(teams[key])
        db.session.flush()
        known = {(t.agency_id, t.name.lower()): t for t in db.session.scalars(
            select(Team).where(Team.agency_id.in_({r.agency.id for r in preview.rows})))}
        created, invite = [], []
        updated = moved = unchanged = 0
        for row in preview.rows:
            source = row.source
            team = known.get((row.agency.id, source.team.lower())) if source.team else None
            if row.action is Action.NEW:
                user = User(email=row.email, name=source.name, role=Role.PRACTITIONER.value, agency_id=row.agency.id,
                            team_id=team.id if team else None, job_title=source.job_title or None)
                db.session.add(user)
                created.append(user)
                continue
            user = row.user
            if row.action is Action.UNCHANGED:
                unchanged += 1
            else:
                if row.action is Action.MOVE:
                    moved += 1
                    user.agency_id = row.agency.id
                    user.team_id = None
                else:
                    updated += 1
                user.name = source.name
                if source.job_title:
                    user.job_title = source.job_title
                if team is not None:
                    user.team_id = team.id
            if user.active and not user.password_hash:
                invite.append(user)
        db.session.flush()
        invite = created + invite
        result = ImportResult(created=created, updated=updated, moved=moved, unchanged=unchanged,
                              teams_created=len(preview.new_teams), invite=invite)
        detail = {"file": filename, "rows": len(preview.rows), **result.counts}
        if importer.own_agency is not None:
            detail["agency"] = importer.own_agency.name
        record("staff_import", detail, actor=importer.actor, commit=False)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    result.invitations_sent = send_invitations(result.invite, importer.actor)
    return result


# --- the upload between preview and confirm ----------------------------------------------


class UploadExpired(Exception):
    pass


@dataclass
class StoredUpload:
    token: str
    owner_id: int
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
    path = _upload_path(token)
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
    return StoredUpload(token=token, owner_id=owner.id, filename=payload.get("filename", ""),
                        default_agency_id=payload.get("default_agency_id"),
                        rows=[SourceRow.from_list(r) for r in payload["rows"]],
                        ignored_columns=[str(c) for c in payload.get("ignored_columns", [])])


def discard_upload(token: str) -> None:
    path = _upload_path(token)
    if path is not None:
        path.unlink(missing_ok=True)
