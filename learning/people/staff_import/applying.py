"""Applying a preview: every change of a preview without errors, in one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from learning.audit import record
from learning.extensions import db
from learning.models import Agency, Role, Team, User
from learning.people.accounts import send_invitations
from learning.people.staff_import.checking import Action, Importer, Preview, PreviewRow


@dataclass
class ImportResult:
    created: list[User] = field(default_factory=list)
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    teams_created: int = 0
    invite: list[User] = field(default_factory=list)
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
        result = _write(preview)
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


def _write(preview: Preview) -> ImportResult:
    teams = _teams(preview)
    result = ImportResult(teams_created=len(preview.new_teams))
    existing: list[User] = []
    for row in preview.rows:
        source, agency = row.source, row.agency
        if agency is None:  # validate gives every row without errors an agency
            raise ValueError(f"row {row.number} has no agency: apply only a preview without errors")
        team = teams.get((agency.id, source.team.lower())) if source.team else None
        if row.action is Action.NEW:
            user = User(email=row.email, name=source.name, role=Role.PRACTITIONER.value, agency_id=agency.id,
                        team_id=team.id if team else None, job_title=source.job_title or None)
            db.session.add(user)
            result.created.append(user)
        else:
            existing.append(_update(row, agency, team, result))
    db.session.flush()
    # New people first, then those who never set a password: the links to hand out.
    result.invite = result.created + [u for u in existing if u.active and not u.password_hash]
    return result


def _teams(preview: Preview) -> dict[tuple[int, str], Team]:
    """The new teams added, and every team of the agencies involved, by (agency, lower name)."""
    for agency, name in preview.new_teams.values():
        db.session.add(Team(agency_id=agency.id, name=name))
    db.session.flush()
    agency_ids = {r.agency.id for r in preview.rows if r.agency is not None}
    return {(t.agency_id, t.name.lower()): t
            for t in db.session.scalars(select(Team).where(Team.agency_id.in_(agency_ids)))}


def _update(row: PreviewRow, agency: Agency, team: Team | None, result: ImportResult) -> User:
    """Change the row's existing account as the preview says, and return it."""
    user, source = row.user, row.source
    if user is None:  # every action but NEW has the account it changes
        raise ValueError(f"row {row.number} has no account to change")
    if row.action is Action.UNCHANGED:
        result.unchanged += 1
        return user
    if row.action is Action.MOVE:
        result.moved += 1
        user.agency_id = agency.id
        user.team_id = None
    else:
        result.updated += 1
    user.name = source.name
    if source.job_title:
        user.job_title = source.job_title
    if team is not None:
        user.team_id = team.id
    return user
