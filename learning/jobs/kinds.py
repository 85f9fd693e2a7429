"""The workbooks that run as jobs when they are big: for each, its size (to choose between a
job and a download at once), its build (with progress) and who may still have it.

A job's params are plain JSON: agencies as a list of ids (or None for every agency), dates
as YYYY-MM-DD. `allowed` is asked again at download: a person who has since lost the
agencies (or the role) a workbook covers is refused it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO

from flask import current_app
from sqlalchemy import select

from learning.compliance import Scope, headcount
from learning.compliance.status import Status
from learning.exports.download import XLSX_MIME
from learning.extensions import db
from learning.jobs.models import Job
from learning.models import HasRole, Module, Role, User

WORKBOOK_FAILED = "Your workbook could not be prepared. Nothing is wrong with your data: try again."
BOARD_PACK_FAILED = "Your board pack could not be prepared. Nothing is wrong with your data: try again."
IMPORT_FAILED = ("The staff were not imported, and nothing was changed: the file could not be imported as it was "
                 "previewed (someone may have changed these accounts since, or the upload is more than an hour old). "
                 "Upload the file again to see why.")


@dataclass(frozen=True)
class Kind:
    label: str  # "compliance workbook": what the progress page calls it
    action: str | None  # the audit action of the export, as for a download at once (None: the work audits itself)
    build: Callable[[IO[bytes], Job, Callable], dict]
    allowed: Callable[[HasRole, dict], bool]
    makes_file: bool = True  # False: the job's outcome is its counts (a staff import)
    working: str = "Preparing your workbook"
    failed: str = WORKBOOK_FAILED
    noun: str = "workbook"  # what the pages call the file: "Your workbook is ready"
    unit: str = "rows"  # what progress counts: "1,200 of 5,000 rows written"
    mimetype: str = XLSX_MIME


def agencies_of(params: dict) -> tuple[int, ...] | None:
    ids = params.get("agencies")
    return tuple(int(i) for i in ids) if ids is not None else None


def covers(user: HasRole, agency_ids: tuple[int, ...] | None) -> bool:
    """Whether `user` may still have a report over `agency_ids` (None: every agency)."""
    if not getattr(user, "active", True):  # the signed-in person is active; a User row may not be
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    own = getattr(user, "agency_id", None)
    return user.role_enum is Role.AGENCY_LEAD and own is not None and agency_ids is not None and set(agency_ids) == {own}


def _owner(job: Job) -> User:
    return db.session.get(User, job.user_id) or User(email="(erased)")


def compliance_scope(params: dict) -> Scope:
    status = params.get("status")
    return Scope(agency_ids=agencies_of(params), team_id=params.get("team"), module_id=params.get("module"),
                 status=Status(status) if status in {s.value for s in Status} else None,
                 compliant=bool(params.get("compliant")), search=params.get("q") or "")


def staff_in(agency_ids: tuple[int, ...] | None) -> int:
    """Staff the agencies have (all agencies for None): what makes a workbook big."""
    return sum(headcount(Scope(agency_ids=agency_ids)).values())


def _compliance(out: IO[bytes], job: Job, progress) -> dict:
    from learning.compliance import compliance_workbook

    scope = compliance_scope(job.params)
    progress.expect(compliance_workbook.expected_rows(scope))
    return compliance_workbook.build(out, scope, _owner(job).email, current_app.config["EXPIRING_WINDOW_DAYS"],
                                     progress=progress)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _completions(out: IO[bytes], job: Job, progress) -> dict:
    from learning.compliance import completions_workbook

    params = job.params
    module = db.session.scalar(select(Module).where(Module.slug == params["module"]))
    if module is None:
        raise LookupError(f"no module {params['module']}")
    agency_ids, start, end = agencies_of(params), _day(params.get("from")), _day(params.get("to"))
    progress.expect(completions_workbook.expected_rows(module, agency_ids, start, end))
    return completions_workbook.build(out, module, agency_ids, start, end, _owner(job).email, progress=progress)


def _non_attendance(out: IO[bytes], job: Job, progress) -> dict:
    from learning.courses import non_attendance
    from learning.courses.bookings import non_attendance as rows_of

    params = job.params
    start, end = _day(params["from"]), _day(params["to"])
    assert start is not None and end is not None  # noqa: S101 - both required by the form
    rows = rows_of(agencies_of(params), start, end)
    progress.expect(len(rows))
    return non_attendance.build(out, rows, start, end, progress=progress)


def _subject_access(out: IO[bytes], job: Job, progress) -> dict:
    from learning.data_protection import subject_access

    person = db.session.get(User, job.params["user"])
    if person is None:
        raise LookupError("the person is no longer held")
    progress.expect(subject_access.expected_rows(person))
    return subject_access.build(out, person, _owner(job).email, progress=progress)


def _board_pack(out: IO[bytes], job: Job, progress) -> dict:
    from learning.compliance.board_pack import STEPS, build_board_pack

    params = job.params
    agency = params.get("agency")
    progress.expect(STEPS)
    return build_board_pack(out, int(agency) if agency else None, _day(params.get("from")), _day(params.get("to")),
                            progress=lambda done, total: progress(1))


def _staff_import(out: IO[bytes], job: Job, progress) -> dict:
    """The apply step of a staff import too big to wait for: the rows previewed (kept in the
    file store under the token) are checked again and imported, all or none."""
    from learning.models import Agency
    from learning.people import staff_import

    owner = _owner(job)
    upload = staff_import.load_upload(job.params["token"], owner)
    if upload is None:
        raise LookupError("the upload is no longer kept")
    default = db.session.get(Agency, upload.default_agency_id) if upload.default_agency_id else None
    importer = staff_import.Importer.for_user(owner, default_agency=default)
    progress.expect(len(upload.rows))
    preview = staff_import.validate(upload.rows, importer)
    if not preview.ok:
        raise ValueError("the rows have errors now: " + "; ".join(preview.error_messages[:5]))
    result = staff_import.apply(preview, importer, filename=upload.filename)
    staff_import.discard_upload(job.params["token"])
    progress(len(upload.rows))
    return {**result.counts, "invite": len(result.invite), "invitations_sent": result.invitations_sent}


KINDS: dict[str, Kind] = {
    "compliance": Kind("compliance workbook", "export_compliance", _compliance,
                       lambda user, params: covers(user, agencies_of(params))),
    "completions": Kind("e-learning completions workbook", "export_completions", _completions,
                        lambda user, params: covers(user, agencies_of(params))),
    "non-attendance": Kind("non-attendance workbook", "export_non_attendance", _non_attendance,
                           lambda user, params: covers(user, agencies_of(params))),
    "subject-access": Kind("personal data workbook", "export_subject_access", _subject_access,
                           lambda user, params: getattr(user, "active", True) and user.has_role(Role.ADMIN)),
    "board-pack": Kind("board pack", "export_board_pack", _board_pack,
                       lambda user, params: getattr(user, "active", True) and user.has_role(Role.COORDINATOR),
                       working="Preparing your board pack", failed=BOARD_PACK_FAILED, noun="board pack",
                       unit="parts", mimetype="application/pdf"),
    "staff-import": Kind("staff import", None, _staff_import,
                         lambda user, params: getattr(user, "active", True) and user.has_role(Role.AGENCY_LEAD),
                         makes_file=False, working="Importing your staff", failed=IMPORT_FAILED),
}
