"""seed-demo and seed-scale: every attempt in progress is one a learner can carry on and
finish, with its questions drawn as a real start draws them."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.models import Attempt, AttemptQuestion, AttemptStatus
from tests.conftest import PASSWORD, sign_in
from tests.journey import answer_all


def _open_attempts() -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.status == AttemptStatus.IN_PROGRESS.value)))


def _assert_drawn_as_a_start_draws(attempts: list[Attempt]) -> None:
    drawn = defaultdict(list)
    ids = [a.id for a in attempts]
    for aq in db.session.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id.in_(ids))):
        drawn[aq.attempt_id].append(aq)
    for attempt in attempts:
        content = catalogue().modules[attempt.module.slug]
        questions = sorted(drawn[attempt.id], key=lambda aq: aq.position)
        assert attempt.total == content.questions_per_attempt == len(questions), attempt.id
        assert [aq.position for aq in questions] == list(range(1, attempt.total + 1))
        assert attempt.path == [stage.id for stage in content.main_stages]
        for aq in questions:
            assert sorted(aq.option_order) == sorted(o.id for o in content.question(aq.question_id).options)
            assert aq.answer is None and aq.answered_at is None


def test_demo_attempts_in_progress_resume_at_their_first_question_and_can_be_submitted(app, runner, ctx):
    assert runner.invoke(args=["seed-demo", "--password", PASSWORD]).exit_code == 0
    attempts = _open_attempts()
    assert attempts, "the demo has attempts in progress"
    _assert_drawn_as_a_start_draws(attempts)

    attempt = next(a for a in attempts if a.user.active)
    client = app.test_client()
    assert sign_in(client, attempt.user.email).status_code == 302
    resumed = client.post(f"/modules/{attempt.module.slug}/start")
    assert resumed.location.endswith(f"/attempts/{attempt.id}/questions/1")
    assert answer_all(client, attempt.id).status == AttemptStatus.SUBMITTED.value


def test_seed_scale_attempts_in_progress_have_their_questions_drawn(runner, ctx):
    result = runner.invoke(args=["seed-scale", "--practitioners", "200", "--agencies", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    attempts = _open_attempts()
    assert len(attempts) > 20
    _assert_drawn_as_a_start_draws(attempts)


def test_seed_demo_keeps_the_figures_the_dashboards_read(runner, ctx):
    from learning.compliance.counted_table import CountedFigures

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert set(db.session.scalars(select(CountedFigures.name))) == {"partnership", "questions"}
