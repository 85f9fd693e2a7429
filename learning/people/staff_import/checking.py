"""Checking rows: `validate` checks every row against the database and the importer's scope
and says what will happen to each (a `Preview`). It writes nothing."""
from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from learning.extensions import db
from learning.models import Agency, Role, Team, User
from learning.people.staff_import.rows import SourceRow

MAX_TEXT = 200


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


@dataclass
class _Known:
    """What the database holds for these rows, read once for all of them; and what earlier
    rows of the file have claimed (an email address, a new team)."""

    importer: Importer
    agencies: dict[str, Agency]
    emails: dict[int, str | None]
    users: dict[str, User]
    teams: dict[tuple[int, str], Team]
    first_row_of: dict[str, int] = field(default_factory=dict)
    new_teams: dict[tuple[int, str], tuple[Agency, str]] = field(default_factory=dict)

    @property
    def actor_rank(self) -> int:
        actor = self.importer.actor
        return actor.role_enum.rank if actor is not None else Role.ADMIN.rank

    def agency_name(self, agency_id: int | None) -> str:
        return next((a.name for a in self.agencies.values() if a.id == agency_id), "no agency")


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _normalised_email(raw: str) -> str | None:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _known(rows: list[SourceRow], importer: Importer) -> _Known:
    """A handful of queries whatever the number of rows: agencies, the accounts with these
    email addresses, and the teams of the agencies involved."""
    agencies = {a.name.lower(): a for a in db.session.scalars(select(Agency))}
    emails = {row.number: _normalised_email(row.email) for row in rows if row.email}
    agency_ids = {a.id for a in agencies.values()} if importer.own_agency is None else {importer.own_agency.id}
    return _Known(importer=importer, agencies=agencies, emails=emails, users=_users(emails.values()),
                  teams=_teams(agency_ids))


def _users(emails: Iterable[str | None]) -> dict[str, User]:
    users: dict[str, User] = {}
    for chunk in _chunks(sorted({e for e in emails if e})):
        users.update({u.email: u for u in db.session.scalars(select(User).where(User.email.in_(chunk)))})
    return users


def _teams(agency_ids: set[int]) -> dict[tuple[int, str], Team]:
    return {(t.agency_id, t.name.lower()): t
            for t in db.session.scalars(select(Team).where(Team.agency_id.in_(agency_ids)))}


def validate(rows: list[SourceRow], importer: Importer) -> Preview:
    """Check every row and say what would happen to it. Reads the database, writes nothing."""
    known = _known(rows, importer)
    preview_rows = [_check_row(source, known) for source in rows]
    return Preview(rows=preview_rows, new_teams=known.new_teams)


def _check_row(source: SourceRow, known: _Known) -> PreviewRow:
    row = PreviewRow(source=source, email=known.emails.get(source.number) or source.email)
    row.errors.extend(_name_errors(source))
    row.errors.extend(_email_errors(row, known))
    row.errors.extend(_length_errors(source))
    row.agency = _agency(row, known.importer, known.agencies)
    row.user = _existing_user(row, known)
    team = _team(row, known)
    _decide(row, team, known)
    return row


def _name_errors(source: SourceRow) -> list[str]:
    if not source.name:
        return ["the name is missing"]
    if len(source.name) > MAX_TEXT:
        return [f"the name is longer than {MAX_TEXT} characters"]
    return []


def _email_errors(row: PreviewRow, known: _Known) -> list[str]:
    source = row.source
    if not source.email:
        return ["the email address is missing"]
    if known.emails.get(source.number) is None:
        return [f"the email address '{source.email}' is not in the correct format, like name@example.org"]
    if row.email in known.first_row_of:
        first = known.first_row_of[row.email]
        return [f"the email address {row.email} is also on row {first}: each person can be in the file only once"]
    known.first_row_of[row.email] = source.number
    return []


def _length_errors(source: SourceRow) -> list[str]:
    too_long = [label for label, value in (("job title", source.job_title), ("team", source.team))
                if len(value) > MAX_TEXT]
    return [f"the {label} is longer than {MAX_TEXT} characters" for label in too_long]


def _agency(row: PreviewRow, importer: Importer, agencies: dict[str, Agency]) -> Agency | None:
    """The agency the row's person will belong to, or None with the reason in row.errors."""
    agency = _named_agency(row, importer, agencies)
    if agency is not None and not agency.active:
        row.errors.append(f"the agency {agency.name} is inactive, so staff cannot be imported into it")
        return None
    return agency


def _named_agency(row: PreviewRow, importer: Importer, agencies: dict[str, Agency]) -> Agency | None:
    named = row.source.agency
    own = importer.own_agency
    if own is not None:
        if named and named.lower() != own.name.lower():
            row.errors.append(f"the agency is '{named}', but you can only import staff into {own.name}")
            return None
        return own
    if named:
        agency = agencies.get(named.lower())
        if agency is None:
            row.errors.append(f"there is no agency called '{named}'. Check the spelling against the Agencies page")
        return agency
    if importer.default_agency is None:
        row.errors.append("the agency is missing. Add an agency column, or choose one agency for the whole file")
    return importer.default_agency


def _existing_user(row: PreviewRow, known: _Known) -> User | None:
    """The account this row updates, if there is one the importer may change."""
    user = known.users.get(row.email) if known.emails.get(row.number) else None
    if user is None:
        return None
    own = known.importer.own_agency
    if own is not None and user.agency_id != own.id:
        row.errors.append(f"this person ({user.email}) belongs to another agency. Ask the partnership "
                          "training coordinator to move them")
        return None
    if user.role_enum.rank > known.actor_rank:
        row.errors.append(f"this person ({user.email}) has an account with the role "
                          f"'{user.role_enum.label}', which you cannot change")
        return None
    return user


def _team(row: PreviewRow, known: _Known) -> Team | None:
    """The existing team the row names; a team that does not exist yet is noted as new."""
    source, agency = row.source, row.agency
    if agency is None or not source.team or len(source.team) > MAX_TEXT:
        return None
    key = (agency.id, source.team.lower())
    team = known.teams.get(key)
    row.team_name = team.name if team else known.new_teams.get(key, (agency, source.team))[1]
    if team is None and not row.errors:
        known.new_teams.setdefault(key, (agency, source.team))
        row.notes.append(f"the team '{row.team_name}' will be created in {agency.name}")
    return team


def _decide(row: PreviewRow, team: Team | None, known: _Known) -> None:
    user = row.user
    if row.errors:
        row.action = Action.ERROR
    elif user is None:
        row.action = Action.NEW
        row.notes.append("an invitation link to set a password will be made")
    else:
        _describe_changes(row, user, team, known)
        if not user.active:
            row.notes.append("this account is deactivated and stays deactivated")
        elif not user.password_hash:
            row.notes.append("they have not set a password yet, so a new invitation link will be made")


def _describe_changes(row: PreviewRow, user: User, team: Team | None, known: _Known) -> None:
    agency = row.agency
    if agency is None:  # a row without errors has one
        raise ValueError(f"row {row.number} has no agency")
    moved = user.agency_id != agency.id
    row.changes.extend(_changes(row, user, team, moved))
    if moved:
        row.action = Action.MOVE
        row.notes.insert(0, f"moves from {known.agency_name(user.agency_id)} to {agency.name}")
    else:
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED


def _changes(row: PreviewRow, user: User, team: Team | None, moved: bool) -> Iterator[str]:
    source = row.source
    if source.name != user.name:
        yield f"name from '{user.name}' to '{source.name}'"
    if source.job_title and source.job_title != (user.job_title or ""):
        yield f"job title to '{source.job_title}'"
    if source.team:
        if team is None or team.id != user.team_id:
            yield f"team to '{row.team_name}'"
    elif moved and user.team_id is not None:
        yield "no team (their old team is in the other agency)"
