"""Local procedures named once in partnership.toml, and notes per sector in the feedback."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from learning.content import load_catalogue
from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.models import Attempt, Sector
from tests.conftest import sign_in
from tests.journey import start, values_for

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).with_name("fixtures") / "tiny-module.toml"
PARTNERSHIP = """
[procedures.bruising-protocol]
title = "Our bruising protocol"
url = "https://partnership.example/bruising"
"""


@pytest.fixture
def content_dir(tmp_path):
    (tmp_path / "modules").mkdir()
    review = (ROOT / "quizzes" / "review.toml").read_text()
    (tmp_path / "review.toml").write_text(re.sub(r"^modules = \[.*?\]\n", "", review, flags=re.S | re.M))
    (tmp_path / "partnership.toml").write_text(PARTNERSHIP)
    shutil.copy(TINY, tmp_path / "modules" / "tiny-module.toml")
    return tmp_path


def errors_with(content_dir: Path, added_to_q1: str) -> list[str]:
    path = content_dir / "modules" / "tiny-module.toml"
    text = path.read_text()
    path.write_text(text.replace('decision = true\n', f'decision = true\n{added_to_q1}\n', 1))
    _, errors = load_catalogue(content_dir)
    return [str(e) for e in errors]


def test_a_question_may_name_a_local_procedure_the_partnership_file_holds(content_dir):
    assert errors_with(content_dir, 'local = ["bruising-protocol"]') == []
    catalogue_, _ = load_catalogue(content_dir)
    assert catalogue_.procedures["bruising-protocol"].url == "https://partnership.example/bruising"


def test_a_local_procedure_key_that_does_not_exist_is_refused_naming_the_file_and_question(content_dir):
    assert errors_with(content_dir, 'local = ["escalation-policy"]') == [
        "modules/tiny-module.toml: question 'q1': unknown local procedure 'escalation-policy' "
        "(partnership.toml names: bruising-protocol)"
    ]


def test_without_a_partnership_file_every_local_reference_is_refused(content_dir):
    (content_dir / "partnership.toml").unlink()
    assert errors_with(content_dir, 'local = ["bruising-protocol"]') == [
        "modules/tiny-module.toml: question 'q1': unknown local procedure 'bruising-protocol' "
        "(partnership.toml names: none)"
    ]


def test_a_procedure_needs_a_title_and_a_web_address(content_dir):
    (content_dir / "partnership.toml").write_text(
        '[procedures.bruising-protocol]\ntitle = " "\nurl = "www.partnership.example"\n')
    _, errors = load_catalogue(content_dir)
    assert [str(e) for e in errors if e.file == "partnership.toml"] == [
        "partnership.toml: procedures bruising-protocol: 'title' is empty",
        "partnership.toml: procedures bruising-protocol: 'www.partnership.example' should be a web address "
        "starting https://",
    ]


def test_a_sector_note_for_a_known_sector_is_accepted(content_dir):
    assert errors_with(content_dir, '[questions.sector_notes]\npolice = "Tell the control room."') == []


def test_a_sector_note_under_an_unknown_sector_is_refused_naming_the_file_and_question(content_dir):
    errors = errors_with(content_dir, '[questions.sector_notes]\nsocial_care = "Ring the duty team."')
    assert errors == [
        "modules/tiny-module.toml: question 'q1': unknown sector 'social_care' in sector_notes (known: "
        + ", ".join(s.value for s in Sector) + ")"
    ]


def test_a_blank_sector_note_is_refused(content_dir):
    errors = errors_with(content_dir, '[questions.sector_notes]\nhealth = "  "')
    assert len(errors) == 1 and errors[0].startswith("modules/tiny-module.toml: question 'q1'")
    assert "is empty" in errors[0]


def test_every_module_has_at_least_three_sector_notes(app):
    with app.app_context():
        for module in catalogue().modules.values():
            notes = sum(len(q.sector_notes) for q in module.questions)
            assert notes >= 3, module.slug


def test_the_modules_name_local_procedures_by_key_rather_than_one_area_in_their_text(app):
    """A partnership in another area edits partnership.toml only: no module names the SET procedures."""
    with app.app_context():
        for module in catalogue().modules.values():
            learning = module.learning
            texts = [learning.what_happened, learning.why_it_matters, *learning.key_points,
                     *(s.narrative + " " + s.learning_point for s in module.stages)]
            for question in module.questions:
                texts += [question.prompt, question.explanation, question.source,
                          *(o.text + " " + o.feedback for o in question.options)]
            assert not [t for t in texts if "SET " in t or "(SET" in t], module.slug
        linked = {key for m in catalogue().modules.values() for q in m.questions for key in q.local}
        assert linked == set(catalogue().procedures)


def _decision_with_a_note(slug: str, sector: Sector):
    """The module's decision question (drawn into every attempt) and its note for `sector`."""
    question = next(q for q in catalogue().modules[slug].questions if q.decision)
    return question, str(escape(question.sector_notes[sector.value]))


def _feedback_on(client, slug: str, question_id: str) -> str:
    attempt_id = start(client, slug)
    attempt = db.session.get(Attempt, attempt_id)
    for aq in attempt.questions:
        response = client.post(f"/attempts/{attempt_id}/questions/{aq.position}",
                               data={"answer": values_for(attempt, aq.position, want_correct=True)})
        assert response.status_code == 302
        if aq.question_id == question_id:
            return client.get(f"/attempts/{attempt_id}/questions/{aq.position}/feedback").get_data(as_text=True)
    raise AssertionError(f"{question_id} was not drawn")


@pytest.mark.parametrize("slug", ["non-mobile-babies", "escalation", "risk-in-the-community"])
def test_a_sector_note_is_shown_to_that_sectors_staff_and_not_to_another_sector(client, people, slug):
    question, police_note = _decision_with_a_note(slug, Sector.POLICE)
    sign_in(client, people.user("officer@example.org", agency="Test Police"))
    page = _feedback_on(client, slug, question.id)
    assert "What this means for you" in page and police_note in page

    client.post("/sign-out")
    people.agency("Test Nursery", Sector.VOLUNTARY)
    sign_in(client, people.user("worker@example.org", agency="Test Nursery"))
    page = _feedback_on(client, slug, question.id)
    assert police_note not in page
    own = question.sector_notes.get("voluntary")
    assert ("What this means for you" in page) == (own is not None)
    if own:
        assert str(escape(own)) in page


def test_the_feedback_and_the_review_link_the_local_procedures_a_question_names(client, people):
    slug = "non-mobile-babies"
    sign_in(client, people.user())
    attempt_id = start(client, slug)
    attempt = db.session.get(Attempt, attempt_id)
    content = catalogue().modules[slug]
    linked = [aq for aq in attempt.questions if content.question(aq.question_id).local]
    assert linked, "a question naming the bruising protocol is drawn"
    procedure = catalogue().procedures["bruising-protocol"]
    for aq in attempt.questions:
        client.post(f"/attempts/{attempt_id}/questions/{aq.position}",
                    data={"answer": values_for(attempt, aq.position, want_correct=True)})
    feedback = client.get(f"/attempts/{attempt_id}/questions/{linked[0].position}/feedback").get_data(as_text=True)
    assert f'href="{procedure.url}"' in feedback and str(escape(procedure.title)) in feedback
    client.post(f"/attempts/{attempt_id}/submit")
    review = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert review.count(f'href="{procedure.url}"') == len(linked)
