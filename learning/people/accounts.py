"""Creating and finding accounts, and what happens to them by email: invitations, forgotten
and changed passwords. Shared by the People pages, the account pages, the CLI, the staff
import and the demo data."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, inspect, select

from learning import audit, mail
from learning.auth.passwords import password_problem
from learning.extensions import db
from learning.models import Agency, Role, User, utcnow
from learning.people import invitations

INVITATION_SENT = "invitation_sent"
PASSWORD_RESET_REQUESTED = "password_reset_requested"
PASSWORD_RESET = "password_reset"
PASSWORD_CHANGED = "password_changed"


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


def send_invitations(users: list[User], invited_by: User | None) -> int:
    """Email each active person without a password an invitation to set one; how many were
    sent. Each gets a new link, and any link sent to them before stops working."""
    from learning.auth import emails

    messages = []
    # After an import's commit every account is expired: load them again in a few SELECTs
    # rather than one per person.
    identities: list[tuple | None] = [inspect(user).identity for user in users]
    ids = [key[0] for key in identities if key]
    for start in range(0, len(ids), 500):
        db.session.scalars(select(User).where(User.id.in_(ids[start:start + 500]))).all()
    for user in users:
        if not user.active or user.erased_at is not None or user.password_hash:
            continue
        user.invitation_sent_at = utcnow()
        messages.append(emails.invitation(user, invitations.link_for(user, invitations.INVITATION), invited_by,
                                          emails.invitation_expiry(user.invitation_sent_at)))
        audit.record(INVITATION_SENT, {"user_id": user.id, "email": user.email},
                     actor=invited_by, commit=False)
    db.session.commit()
    return mail.send(messages) if messages else 0


def request_password_reset(email: str) -> None:
    """"Forgotten your password?": email a reset link if an active account has this
    address. The caller answers alike either way; the mail goes after the response, so the
    response time does not tell either. Audited either way (the trail is for admins)."""
    from learning.auth import emails

    address = User.normalise_email(email)[:audit.EMAIL_MAX]
    user = db.session.scalar(select(User).where(User.email == address))
    usable = user if user is not None and user.active and user.erased_at is None else None
    if usable:
        usable.password_reset_sent_at = utcnow()
    audit.record(PASSWORD_RESET_REQUESTED, {"email": address, "sent": usable is not None}, actor=usable, commit=False)
    db.session.commit()
    if usable:
        user_id, link = usable.id, invitations.link_for(usable, invitations.PASSWORD_RESET)
        expires = emails.reset_expiry(usable.password_reset_sent_at)
        mail.send_after_response(lambda: emails.password_reset(db.session.get(User, user_id), link, expires))


def set_new_password(user: User, password: str, how: str) -> None:
    """A new password from a reset link or the change-password page: every session the
    person has ends (the caller keeps or ends the current one), audited, then the person
    is told by email in case it was not them."""
    from learning.auth import emails

    user.set_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1
    audit.record(PASSWORD_RESET if how == "reset link" else PASSWORD_CHANGED,
                 {"user_id": user.id, "how": how}, actor=user, commit=False)
    db.session.commit()
    mail.send([emails.password_changed(user, utcnow())])
