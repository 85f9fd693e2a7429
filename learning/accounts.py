"""Creating and finding accounts; shared by the People pages, the CLI and the demo data."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from . import audit
from .extensions import db
from .models import Agency, Role, User
from .passwords import password_problem


class AccountError(ValueError):
    """A reason an account cannot be created, and the form field it belongs to."""

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field


def clean_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"Enter an email address in the correct format, like name@example.org ({raw!r})") from exc


def find_agency(name: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(func.lower(Agency.name) == name.strip().lower()))


def create_user(*, email: str, name: str, agency: Agency | None, role: Role, password: str | None) -> User:
    email = clean_email(email)
    if not name.strip():
        raise AccountError("Enter the person's name", field="name")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError(f"There is already an account for {email}")
    if password is not None and (problem := password_problem(password, name=name, email=email)):
        raise AccountError(problem, field="password")
    user = User(email=email, name=name.strip(), role=role.value, agency_id=agency.id if agency else None)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    # In the same transaction as the account: there is never an account without its record.
    audit.record(audit.ACCOUNT_CREATED, {"user_id": user.id, "email": user.email, "role": user.role,
                                         "agency": agency.name if agency else None}, commit=False)
    db.session.commit()
    return user
