"""Counts of people, not of (person, module) pairs, for the agencies in a scope: how many
staff have any required learning, how many are compliant with all of it, and how many have
at least one module in each status. One aggregate statement (the pairs folded per person,
then people counted per agency); the agency dashboard and the workbook's Summary sheet read
it, as the partnership dashboard's rows do."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from learning.compliance import Scope, people_figures_statement, shape_of, values
from learning.compliance.status import Status
from learning.database import run


class PeopleCounts(NamedTuple):
    assessed: int  # staff with at least one required module
    compliant: int  # staff compliant with every module required of them
    counts: dict[Status, int]  # staff with at least one required module in each status

    @property
    def percent(self) -> int | None:
        """`compliant` as a share of `assessed`; None when nothing is required of anyone."""
        return round(100 * self.compliant / self.assessed) if self.assessed else None


NOBODY = PeopleCounts(0, 0, {s: 0 for s in Status})


def people_counts(scope: Scope, now: datetime | None = None) -> dict[int, PeopleCounts]:
    """{agency id: PeopleCounts} for the agencies in scope with anyone counted (the scope's
    team, module and name filters apply)."""
    rows = run(people_figures_statement(shape_of(scope)), values(scope, now)).all()
    return {agency_id: PeopleCounts(int(assessed or 0), int(compliant or 0),
                                    {s: int(n or 0) for s, n in zip(Status, per_status, strict=True)})
            for agency_id, assessed, compliant, *per_status in rows}
