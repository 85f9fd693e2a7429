"""Helpers that drive a module through the test client, as a learner would."""
from __future__ import annotations

import re

from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.models import Attempt


def start(client, slug: str) -> int:
    response = client.post(f"/modules/{slug}/start")
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/attempts/(\d+)/", response.location).group(1))


def values_for(attempt: Attempt, position: int, want_correct: bool) -> list[str]:
    """Form values for the right (or a wrong) answer to the question at `position`,
    worked out from the content's answer key and the attempt's shuffled order."""
    aq = attempt.questions[position - 1]
    question = catalogue().modules[attempt.module.slug].question(aq.question_id)
    correct = set(question.correct_ids())
    if want_correct:
        chosen = [oid for oid in aq.option_order if oid in correct]
    else:
        chosen = [next(oid for oid in aq.option_order if oid not in correct)]
    return [f"option-{aq.option_order.index(oid) + 1}" for oid in chosen]


def answer_all(client, attempt_id: int, wrong: int = 0, submit: bool = True):
    """Answer every question (the first `wrong` of them wrongly), then submit."""
    attempt = db.session.get(Attempt, attempt_id)
    for position in range(1, attempt.total + 1):
        values = values_for(attempt, position, want_correct=position > wrong)
        response = client.post(f"/attempts/{attempt_id}/questions/{position}", data={"answer": values})
        assert response.status_code == 302, (position, response.status_code)
        assert response.location.endswith(f"/questions/{position}/feedback")
    if submit:
        response = client.post(f"/attempts/{attempt_id}/submit")
        assert response.status_code == 302
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)
