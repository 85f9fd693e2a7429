"""Session times. Stored in UTC (naive, like every time in the database), so "has it
started?" is a plain comparison with utcnow() in winter and in summer alike; typed in the
forms and shown on pages, sheets and emails in the partnership's local time (TIME_ZONE,
Europe/London by default)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIME_ZONE"])


def local(moment: datetime) -> datetime:
    """A stored (UTC) time as the partnership's wall-clock time, naive."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).replace(tzinfo=None)


def from_local(moment: datetime) -> datetime:
    """A wall-clock time as typed (the partnership's local time) as the stored UTC time.
    A time the clocks skip in spring (01:30 on the last Sunday of March in London) is read
    as the time before the change, as zoneinfo does; an hour repeated in autumn, as its first."""
    return moment.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    """A stored time as an aware UTC time (for the calendar invite)."""
    return moment.replace(tzinfo=UTC)
