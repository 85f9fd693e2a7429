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
        # The dashboards' figures per agency and module; covering, so they read the index alone.
        Index("ix_compliance_summary_agency", "agency_id", "module_id", "expiry", "open", "failed"),
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    expiry: Mapped[datetime | None] = mapped_column(DateTime)
    open: Mapped[bool] = mapped_column(Boolean)
    failed: Mapped[bool] = mapped_column(Boolean)
