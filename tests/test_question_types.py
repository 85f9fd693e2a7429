from dataclasses import dataclass

import pytest

from learning.question_types import REGISTRY


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
