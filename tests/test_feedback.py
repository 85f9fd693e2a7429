"""The feedback after every answer teaches: it shows the right answer or answers and why,
why a wrong choice was wrong, and tells right from wrong in words (heading and tags), not
only by colour; the question pages show progress and say that answers are saved."""
from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import select

from learning.content import load_catalogue
from learning.content.catalogue import catalogue
from learning.content.question_types import REGISTRY, prompt_problems
from learning.extensions import db
from learning.models import AttemptQuestion
from tests.conftest import sign_in
from tests.journey import start

ROOT = Path(__file__).resolve().parent.parent


def _first_question_of_type(kind: str):
    for slug, module in sorted(catalogue().modules.items()):
        for question in module.questions:
            if question.type == kind:
                return slug, question
    raise AssertionError(f"no question of type {kind} in the content")


def _attempt_on(client, kind: str):
    """An attempt whose first question is one of this type, its options in file order."""
    slug, question = _first_question_of_type(kind)
    attempt_id = start(client, slug)
    drawn = db.session.scalars(select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id)
                               .order_by(AttemptQuestion.position)).all()
    first, already = drawn[0], next((aq for aq in drawn if aq.question_id == question.id), None)
    if already is not first:
        if already is not None:  # drawn later on: the two swap places (one id per attempt)
            already.question_id = "swapping"
            db.session.flush()
            already.question_id, already.option_order = first.question_id, first.option_order
        first.question_id = question.id
    first.option_order = [o.id for o in question.options]
    db.session.commit()
    return attempt_id, question


def _answer(client, attempt_id: int, question, chosen: list[str]):
    values = [f"option-{[o.id for o in question.options].index(oid) + 1}" for oid in chosen]
    response = client.post(f"/attempts/{attempt_id}/questions/1", data={"answer": values})
    assert response.status_code == 302, response.status_code
    page = client.get(f"/attempts/{attempt_id}/questions/1/feedback").get_data(as_text=True)
    return lxml.html.fromstring(page)


def _all(element, css_class: str) -> list:
    return element.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]")


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _boxes(tree) -> dict[str, str]:
    """Each answer box on the page: the option's text -> its tag."""
    found = {}
    for box in _all(tree, "app-answer"):
        tag = _text(_all(box, "govuk-tag")[0])
        found[_text(box.xpath(".//p")[0])] = tag
        feedback = _text(box.xpath(".//p")[1])
        assert feedback, "every answer says why it is right or wrong"
    return found


def _headings(tree) -> list[str]:
    return [_text(h) for h in tree.xpath("//main//h2")]


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_a_wrong_answer_shows_why_it_was_wrong_and_the_right_answer_with_why(client, people, kind):
    sign_in(client, people.user())
    attempt_id, question = _attempt_on(client, kind)
    wrong = next(o for o in question.options if not o.correct)
    tree = _answer(client, attempt_id, question, [wrong.id])

    assert _text(tree.xpath("//h1")[0]) == "Not quite"
    assert _all(tree, "app-verdict--wrong") and not _all(tree, "app-verdict--right")
    boxes = _boxes(tree)
    assert boxes[" ".join(wrong.text.split())] == "Wrong"
    for option in question.options:
        if option.correct:
            assert boxes[" ".join(option.text.split())] == "Right"
    assert set(boxes) == {" ".join(o.text.split()) for o in question.options if o.correct or o is wrong}
    page = _text(tree)
    assert " ".join(wrong.feedback.split()) in page
    for option in question.options:
        if option.correct:
            assert " ".join(option.feedback.split()) in page
    expected = "The right answers" if question.kind.multiple_answers else "The right answer"
    assert expected in _headings(tree)
    assert "Why" in _headings(tree) and " ".join(question.explanation.split()) in page


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_a_right_answer_is_tagged_right_and_shows_no_wrong_one(client, people, kind):
    sign_in(client, people.user())
    attempt_id, question = _attempt_on(client, kind)
    tree = _answer(client, attempt_id, question, question.correct_ids())

    assert _text(tree.xpath("//h1")[0]) == "Right"
    assert _all(tree, "app-verdict--right") and not _all(tree, "app-verdict--wrong")
    assert set(_boxes(tree).values()) == {"Right"}
    assert len(_boxes(tree)) == len(question.correct_ids())
    assert not [h for h in _headings(tree) if "right answer" in h.lower()]


def test_a_partly_right_multiple_answer_counts_and_lists_the_right_answers_missed(client, people):
    sign_in(client, people.user())
    attempt_id, question = _attempt_on(client, "multiple")
    right = question.correct_ids()
    wrong = next(o.id for o in question.options if not o.correct)
    tree = _answer(client, attempt_id, question, [right[0], wrong])

    assert _text(tree.xpath("//h1")[0]) == "Not quite"
    assert _text(tree.get_element_by_id("tally")) == (
        f"There are {len(right)} right answers. You chose 1 of them and 1 wrong answer.")
    headings = _headings(tree)
    assert "Your answers" in headings and "Right answers you did not choose" in headings
    missed_section = tree.xpath("//h2[normalize-space()='Right answers you did not choose']/following-sibling::div"
                                "[contains(@class, 'app-answer')]")
    shown = [_text(box.xpath(".//p")[0]) for box in missed_section]
    assert shown == [" ".join(question.option(oid).text.split()) for oid in right[1:]]


def test_question_and_feedback_pages_show_progress_in_a_bar_and_in_words(client, people):
    sign_in(client, people.user())
    attempt_id, question = _attempt_on(client, "single")
    page = lxml.html.fromstring(client.get(f"/attempts/{attempt_id}/questions/1").get_data(as_text=True))
    bar = page.xpath("//progress")[0]
    assert (bar.get("value"), bar.get("max")) == ("0", "8")
    named_by = page.get_element_by_id(bar.get("aria-labelledby"))
    assert _text(named_by).startswith("0 of 8 answered. Your answers are saved as you go")
    assert _text(page.get_element_by_id("progress")) == "Question 1 of 8"

    tree = _answer(client, attempt_id, question, question.correct_ids())
    bar = tree.xpath("//progress")[0]
    assert (bar.get("value"), bar.get("max")) == ("1", "8")
    assert _text(tree.get_element_by_id("progress-answered")).startswith("1 of 8 answered.")


def test_the_loader_refuses_a_prompt_that_repeats_the_hint(tmp_path):
    """The question page shows the type's instruction as the hint ("Select all that apply"),
    so a prompt that gives it too is refused, with the file and the question named."""
    (tmp_path / "modules").mkdir()
    review = (ROOT / "quizzes" / "review.toml").read_text()
    (tmp_path / "review.toml").write_text(re.sub(r"^modules = \[.*?\]\n", "", review, flags=re.S | re.M))
    module = (ROOT / "tests" / "fixtures" / "tiny-module.toml").read_text()
    prompt = re.search(r'^prompt = "(.*)"$', module, flags=re.M).group(1)
    (tmp_path / "modules" / "tiny-module.toml").write_text(
        module.replace(prompt, prompt + " Choose one.", 1))
    _, errors = load_catalogue(tmp_path)
    assert [str(e) for e in errors] == [
        "modules/tiny-module.toml: question 'q1': the prompt says 'choose one', which the hint under every "
        "question of its type already says: leave it out of the prompt"
    ]
    assert not prompt_problems("Who should be told?")
    assert prompt_problems("True or false: a parent can consent.")
