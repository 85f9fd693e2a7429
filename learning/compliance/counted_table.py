"""The table of counted figures (kept by learning/compliance/counted.py): one row per kind of
figure, with when it was counted and the figures themselves as JSON."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learning.extensions import Model


class CountedFigures(Model):
    __tablename__ = "counted_figures"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    counted_at: Mapped[datetime] = mapped_column(DateTime)
    figures: Mapped[str] = mapped_column(Text)  # JSON, written and read by counted.py
