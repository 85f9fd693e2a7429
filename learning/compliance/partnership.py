"""The partnership dashboard's figures: for each active agency its staff, how many of them
are compliant with all their required learning and how many have a module in each status
(people, not person-module pairs), and the totals per module.

`count_partnership` counts them with three aggregate statements over the kept summary;
pages read them as the worker last counted them (learning/compliance/counted.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from learning.compliance import (
    ModuleFigures,
    Scope,
    figures_by,
    headcount,
    people_figures_statement,
    shape_of,
    values,
)
from learning.compliance.status import Status
from learning.database import run
from learning.extensions import db
from learning.models import Agency


@dataclass
class PartnershipCounts:
    """Per agency: (staff with any required module, staff compliant with all of them, then
    staff with a module in each status); per (agency, module): pairs in each status; per
    agency: staff counted. Every count a plain int, statuses in the order of `Status`."""

    people: dict[int, tuple[int, ...]]
    pairs: dict[tuple[int, int], tuple[int, ...]]
    heads: dict[int, int]

    def to_json(self) -> str:
        return json.dumps({"people": [[agency, *counts] for agency, counts in self.people.items()],
                           "pairs": [[agency, module, *counts] for (agency, module), counts in self.pairs.items()],
                           "heads": [[agency, count] for agency, count in self.heads.items()]})

    @classmethod
    def from_json(cls, text: str) -> PartnershipCounts:
        data = json.loads(text)
        return cls(people={row[0]: tuple(row[1:]) for row in data["people"]},
                   pairs={(row[0], row[1]): tuple(row[2:]) for row in data["pairs"]},
                   heads={agency: count for agency, count in data["heads"]})


def count_partnership(now: datetime | None = None) -> PartnershipCounts:
    """Count the whole partnership as at `now` (default: now)."""
    people = {row[0]: tuple(int(n or 0) for n in row[1:])
              for row in run(people_figures_statement(shape_of(Scope())), values(Scope(), now)).all()}
    pairs = {key: tuple(figures.counts[s] for s in Status)
             for key, figures in figures_by(Scope(), by_agency=True, now=now).items()}
    return PartnershipCounts(people, pairs, headcount(Scope()))


class AgencyLine(NamedTuple):
    """One agency's line on the partnership dashboard: every figure is a number of people."""

    agency: Agency
    heads: int  # staff counted
    compliant: int  # staff compliant with every module required of them
    percent: int | None  # `compliant` of the staff with any required module; None if nothing is required
    counts: dict[Status, int]  # staff with at least one required module in each status


class PartnershipFigures(NamedTuple):
    agencies: list[AgencyLine]  # the active agencies, by name
    by_module: dict[int, ModuleFigures]  # every agency's figures summed per module


def figures_from(counts: PartnershipCounts) -> PartnershipFigures:
    """The dashboard's lines and module totals from counted figures."""
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()
    nobody = (0, 0, *(0 for _ in Status))
    lines = []
    for agency in agencies:
        assessed, compliant, *per_status = counts.people.get(agency.id, nobody)
        lines.append(AgencyLine(agency, counts.heads.get(agency.id, 0), compliant,
                                round(100 * compliant / assessed) if assessed else None,
                                dict(zip(Status, per_status, strict=True))))
    totals: dict[int, list[int]] = {}
    for (_, module_id), pairs in counts.pairs.items():
        total = totals.setdefault(module_id, [0] * len(pairs))
        for i, count in enumerate(pairs):
            total[i] += count
    by_module = {module_id: ModuleFigures(module_id, dict(zip(Status, total, strict=True)))
                 for module_id, total in totals.items()}
    return PartnershipFigures(lines, by_module)


def partnership_figures(now: datetime | None = None) -> PartnershipFigures:
    """The figures counted now (or as at `now`), not the kept ones."""
    return figures_from(count_partnership(now))
