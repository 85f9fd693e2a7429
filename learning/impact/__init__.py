"""Learning into practice: confidence ratings, course evaluations, follow-ups three months
on, and the impact page and sheet that report them per recommendation and agency."""

from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app


def in_batches(due: Sequence[Any], size: int, send_batch: Callable[[Sequence[Any]], int], what: str) -> int:
    """Send `due` `size` at a time (each batch claimed, sent and committed by `send_batch`,
    which returns how many it sent), logging progress; how many were sent in all."""
    sent = 0
    for start in range(0, len(due), size):
        sent += send_batch(due[start:start + size])
        current_app.logger.info("%s: %d of %d done", what, min(start + size, len(due)), len(due))
    return sent
