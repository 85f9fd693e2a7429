"""Learning status rules, shared by My learning, the dashboards and the exports.

Per person and module, in this order of precedence:
- in date: a completion that expires more than the window from now;
- expiring: a completion that expires within the window (still valid);
- in progress: no valid completion, but an open attempt;
- expired: no valid completion, no open attempt, and a completion that has run out;
- not passed: never completed (or every completion revoked), no open attempt, and at least
  one submitted attempt that did not pass;
- not started: none of the above.
Expired comes before not passed: a person whose completion ran out and who then failed the
retake still had the learning once, and "Expired" says when that lapsed.
A completion is valid while now < expires_at; at expires_at exactly it has expired.
"""
from __future__ import annotations

import calendar
import enum
from datetime import datetime, timedelta


class Status(str, enum.Enum):
    IN_DATE = "in_date"
    EXPIRING = "expiring"
    IN_PROGRESS = "in_progress"
    EXPIRED = "expired"
    NOT_PASSED = "not_passed"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return {
            "in_date": "In date", "expiring": "Expiring soon", "in_progress": "In progress",
            "expired": "Expired", "not_passed": "Not passed", "not_started": "Not started",
        }[self.value]

    @property
    def tag_class(self) -> str:
        return {
            "in_date": "govuk-tag--green", "expiring": "govuk-tag--yellow", "in_progress": "govuk-tag--blue",
            "expired": "govuk-tag--red", "not_passed": "govuk-tag--orange", "not_started": "govuk-tag--grey",
        }[self.value]

    @property
    def compliant(self) -> bool:
        return self in (Status.IN_DATE, Status.EXPIRING)


def status_for(latest_expiry: datetime | None, has_open_attempt: bool, now: datetime,
               window_days: int, has_failed_attempt: bool) -> Status:
    if latest_expiry is not None and now < latest_expiry:
        if latest_expiry <= now + timedelta(days=window_days):
            return Status.EXPIRING
        return Status.IN_DATE
    if has_open_attempt:
        return Status.IN_PROGRESS
    if latest_expiry is not None:
        return Status.EXPIRED
    if has_failed_attempt:
        return Status.NOT_PASSED
    return Status.NOT_STARTED


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
