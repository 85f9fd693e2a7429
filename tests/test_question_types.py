import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from learning.content import load_catalogue
from learning.content.question_types import REGISTRY, QuestionType

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Opt:
    id: str
    correct: bool


SINGLE = [Opt("a", False), Opt("b", True), Opt("c", False)]
MULTIPLE = [Opt("a", True), Opt("b", True), Opt("c", False), Opt("d", False)]
TRUE_FALSE = [Opt("true", False), Opt("false", True)]


def test_single_choice_is_right_only_with_the_one_correct_option():
    score = REGISTRY["single"].score
    assert score(SINGLE, {"b"}) is True
    assert score(SINGLE, {"a"}) is False
    assert score(SINGLE, {"a", "b"}) is False
    assert score(SINGLE, set()) is False


def test_multiple_response_needs_exactly_the_correct_set():
    score = REGISTRY["multiple"].score
    assert score(MULTIPLE, {"a", "b"}) is True
    assert score(MULTIPLE, {"a"}) is False, "a partial answer is not right"
    assert score(MULTIPLE, {"a", "b", "c"}) is False, "an extra wrong choice is not right"
    assert score(MULTIPLE, {"c", "d"}) is False


def test_true_false_scores_the_single_choice():
    score = REGISTRY["true_false"].score
    assert score(TRUE_FALSE, {"false"}) is True
    assert score(TRUE_FALSE, {"true"}) is False
    assert score(TRUE_FALSE, {"true", "false"}) is False


@pytest.mark.parametrize(
    "kind, options, expected",
    [
        ("single", [Opt("a", True), Opt("b", True), Opt("c", False)], "exactly one correct"),
        ("single", [Opt("a", False), Opt("b", False), Opt("c", False)], "exactly one correct"),
        ("single", [Opt("a", True), Opt("b", False)], "3 to 5 options"),
        ("multiple", [Opt("a", True), Opt("b", False), Opt("c", False), Opt("d", False)], "at least two correct"),
        ("multiple", [Opt("a", True), Opt("b", True), Opt("c", True), Opt("d", True)], "at least one wrong"),
        ("true_false", [Opt("yes", True), Opt("no", False)], "'true' and 'false'"),
    ],
)
def test_each_type_reports_badly_formed_options(kind, options, expected):
    problems = REGISTRY[kind].problems(options)
    assert any(expected in p for p in problems), problems


def test_well_formed_options_have_no_problems():
    assert REGISTRY["single"].problems(SINGLE) == []
    assert REGISTRY["multiple"].problems(MULTIPLE) == []
    assert REGISTRY["true_false"].problems(TRUE_FALSE) == []


class Ranking(QuestionType):
    """A made-up type, to show that the loader applies whatever rules a registered type declares."""

    name = "ranking"
    label = "Put these in order"

    @staticmethod
    def problems(options):
        return [] if len(options) >= 4 else ["a ranking question needs at least four options"]


def test_a_new_type_is_one_registered_class_whose_rules_the_loader_applies(tmp_path, monkeypatch):
    monkeypatch.setitem(REGISTRY, Ranking.name, Ranking)
    (tmp_path / "modules").mkdir()
    review = (ROOT / "quizzes" / "review.toml").read_text()
    (tmp_path / "review.toml").write_text(re.sub(r"^modules = \[.*?\]\n", "", review, flags=re.S | re.M))
    module = (ROOT / "tests" / "fixtures" / "tiny-module.toml").read_text()
    (tmp_path / "modules" / "tiny-module.toml").write_text(module.replace('type = "single"', 'type = "ranking"'))
    _, errors = load_catalogue(tmp_path)
    assert [str(e) for e in errors] == [
        "modules/tiny-module.toml: question 'q1': a ranking question needs at least four options"
    ]
