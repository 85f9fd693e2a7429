"""The kept compliance summary's table (kept up to date by learning/compliance/summary.py).

One row per (person, required module) that the reports count: an active workforce account
in an active agency whose sector requires the module. A row holds what the status needs and
nothing that changes with the clock: the latest expiry of a completion not revoked, whether
an attempt is open, whether a submitted attempt did not pass. The status itself (in date,
expiring, expired...) is worked out when it is read, from `expiry` and the time then.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import Model


class ComplianceSummary(Model):
    __tablename__ = "compliance_summary"
    __table_args__ = (
        # The dashboards' figures per agency and module, and per person within an agency;
        # covering, so they read the index alone.
        Index("ix_compliance_summary_agency", "agency_id", "module_id", "expiry", "open", "failed", "user_id"),
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    expiry: Mapped[datetime | None] = mapped_column(DateTime)
    open: Mapped[bool] = mapped_column(Boolean)
    failed: Mapped[bool] = mapped_column(Boolean)


class CompliancePerson(Model):
    """One row per person with any kept summary row: when the first of their required modules
    runs out if every one of them is completed, else None. They are compliant with all their
    required learning while now < compliant_until: found by an index, where checking each
    person's rows would read thousands of people to find the few who are."""
    __tablename__ = "compliance_person"
    __table_args__ = (Index("ix_compliance_person_compliant_until", "compliant_until"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    compliant_until: Mapped[datetime | None] = mapped_column(DateTime)
