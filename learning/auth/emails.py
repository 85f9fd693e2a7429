"""The account emails: invitation, forgotten password, password changed, new role, second
factor reset. Each is plain text plus HTML from one pair of templates (templates/email/),
addressed to the bare email address with a fixed subject: a person's name only ever appears
in the body, so a name holding a line break cannot add a header."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, render_template

from learning.mail import new_message
from learning.models import Role

# What each role can see, for the email and the "Are you sure?" page alike.
ROLE_SCOPE = {
    Role.PRACTITIONER: "their own learning",
    Role.AGENCY_LEAD: "their own learning and the learning records of their agency's staff",
    Role.COORDINATOR: ("the names, email addresses and learning records of every agency's staff, and can create "
                       "accounts, import staff and run courses"),
    Role.ADMIN: ("everything a coordinator can, and can change anyone's role, read the audit trail, "
                 "and export or erase a person's data"),
}


def _when(moment: datetime) -> str:
    return f"{moment:%-d %B %Y} at {moment:%H:%M} (UTC)"


def compose(to: str, subject: str, greeting: str, before: Sequence[str], link: str | None = None,
            link_text: str = "", after: Sequence[str] = ()) -> EmailMessage:
    context = {"subject": subject, "greeting": greeting, "before": before, "link": link, "link_text": link_text,
               "after": list(after)}
    return new_message(to, subject, render_template("email/message.txt", **context),
                       html=render_template("email/message.html", **context))


def _service() -> str:
    config = current_app.config
    return f"{config['SERVICE_NAME']} ({config['PARTNERSHIP_NAME']})"


def invitation(user, link: str, invited_by, expires: datetime) -> EmailMessage:
    who = invited_by.name if invited_by is not None else "The partnership's training team"
    return compose(
        user.email, f"Your account for {current_app.config['SERVICE_NAME']}",
        f"Dear {user.name},",
        [f"{who} has made you an account for {_service()}, where you take safeguarding learning and keep "
         "your certificates.",
         f"Your account is {user.email}. Choose a password to start."],
        link, "Set your password",
        [f"The link works once and lasts until {_when(expires)}. If it has run out, ask your agency training "
         "lead for a new one.",
         "If you were not expecting this email, you can ignore it."])


def password_reset(user, link: str, expires: datetime) -> EmailMessage:
    return compose(
        user.email, "Reset your password",
        f"Dear {user.name},",
        [f"Someone asked to reset the password for {user.email} on {_service()}."],
        link, "Choose a new password",
        [f"The link works once and lasts until {_when(expires)}. Only the newest link you were sent works.",
         "If you did not ask for this, you can ignore this email: your password has not changed."])


def password_changed(user, when: datetime) -> EmailMessage:
    return compose(
        user.email, "Your password was changed",
        f"Dear {user.name},",
        [f"The password for {user.email} on {_service()} was changed on {_when(when)}. Every other "
         "device signed in to your account has been signed out."],
        after=["If this was you, there is nothing more to do.",
               "If it was not you, reset your password now with \"Forgotten your password?\" on the sign-in page, "
               "and tell your agency training lead."])


def role_granted(user, role: Role, granted_by) -> EmailMessage:
    after = []
    if role.value in current_app.config["REQUIRE_2FA_FOR"]:
        after.append("Next time you sign in, you will be asked to set up two-factor sign-in with an authenticator "
                     "app on your phone.")
    after.append("If you did not expect this, tell your agency training lead.")
    return compose(
        user.email, "Your role has changed",
        f"Dear {user.name},",
        [f"{granted_by.name} has made you {role.label.lower()} on {_service()}.",
         f"You can now see {ROLE_SCOPE[role]}."],
        after=after)


def two_factor_reset(user, reset_by) -> EmailMessage:
    return compose(
        user.email, "Your two-factor sign-in was reset",
        f"Dear {user.name},",
        [f"{reset_by.name} has reset the two-factor sign-in for {user.email} on {_service()}. Your old "
         "authenticator app codes and recovery codes no longer work."],
        after=["Next time you sign in, you will be asked to set it up again if your role needs it.",
               "If you did not ask for this, tell your agency training lead."])


def invitation_expiry(sent_at: datetime) -> datetime:
    return sent_at + timedelta(days=int(current_app.config["INVITATION_VALID_DAYS"]))


def reset_expiry(sent_at: datetime) -> datetime:
    return sent_at + timedelta(minutes=int(current_app.config["PASSWORD_RESET_VALID_MINUTES"]))
