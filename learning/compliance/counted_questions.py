"""The figures behind "Questions staff get wrong", counted by the job queue's worker and kept
in the database, so that no page waits while every answer is counted.

Finding each person's first answer to each question reads every answered question: at
100,000 staff, millions of rows and many seconds. So the worker counts them every 15 minutes
(learning/jobs/periodic.py) and keeps the raw cells (per question and agency: people who
answered, and how many were wrong the first time) as the "questions" row of
`counted_figures` (learning/compliance/counted.py keeps the partnership's the same way).
Suppression (insight.protect) is applied when they are read, as it is to figures counted
afresh, so every page, the workbook's sheet and the board pack hide the same figures.

Figures older than QUESTION_FIGURES_SECONDS (the worker has stopped or fallen behind) are
still shown, with their time, and the worker is asked to count again; before the first
count there are none, and the pages say they are being counted. With
QUESTION_FIGURES_SECONDS=0 (the tests) they are counted in the request, every time.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from flask import current_app

from learning.compliance.counted import keep, read_kept
from learning.compliance.insight import Cell, Errors, first_answer_errors
from learning.models import utcnow

QUESTIONS = "questions"


class CountedErrors(NamedTuple):
    errors: Errors
    counted_at: datetime


def recount(unless_newer_than: float = 0) -> bool:
    """Count every first answer and keep the figures (the worker's task); skipped when they
    were counted less than `unless_newer_than` seconds ago. Returns whether it counted."""
    return keep(QUESTIONS, lambda started: to_json(first_answer_errors()), unless_newer_than)


def kept() -> CountedErrors | None:
    """The kept figures and when they were counted, or None before the first count. Asks the
    worker to count again when they are older than QUESTION_FIGURES_SECONDS."""
    from learning.jobs.tasks import count_question_figures

    seconds = current_app.config["QUESTION_FIGURES_SECONDS"]
    if seconds <= 0:
        return CountedErrors(first_answer_errors(), utcnow())
    row = read_kept(QUESTIONS, seconds, count_question_figures)
    return None if row is None else CountedErrors(_parsed(row.figures, row.counted_at), row.counted_at)


# Parsing the kept figures (a cell per question and agency: thousands) is most of a page's
# work, so a process keeps the figures it last parsed until the worker has counted again.
# Shared by every request of the process: read, never changed.
_last: dict[datetime, Errors] = {}


def _parsed(figures: str, counted_at: datetime) -> Errors:
    errors = _last.get(counted_at)
    if errors is None:
        errors = from_json(figures)
        _last.clear()
        _last[counted_at] = errors
    return errors


def for_a_report() -> CountedErrors:
    """The kept figures for a workbook or a board pack, which cannot wait for the worker:
    before the first count they are counted here (and the worker is asked to keep them)."""
    return kept() or CountedErrors(first_answer_errors(), utcnow())


def to_json(errors: Errors) -> str:
    return json.dumps([[slug, question_id, agency_id, cell.people, cell.wrong]
                       for (slug, question_id), cells in errors.items() for agency_id, cell in cells.items()],
                      separators=(",", ":"))


def from_json(figures: str) -> Errors:
    errors: Errors = {}
    for slug, question_id, agency_id, people, wrong in json.loads(figures):
        errors.setdefault((slug, question_id), {})[agency_id] = Cell(people, wrong)
    return errors
