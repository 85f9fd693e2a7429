"""The option lint: absolute words and the longest option, measured as a learner would see them."""
from dataclasses import dataclass

from learning.content.lint import figures, has_absolute


@dataclass(frozen=True)
class Opt:
    text: str
    correct: bool


@dataclass(frozen=True)
class Q:
    id: str
    options: tuple
    type: str = "single"


def test_absolute_words_are_found_as_whole_words_in_any_case():
    assert has_absolute("You must ALWAYS phone") and has_absolute("No one else can")
    assert not has_absolute("Talk to the allocated social worker") and not has_absolute("onlyness")


def test_a_module_whose_wrong_options_are_sweeping_fails():
    questions = [Q(f"q{i}", (Opt("Ask the nurse", True), Opt("Never ask anyone", False), Opt("Always wait", False)))
                 for i in range(4)]
    result = figures("m", questions)
    assert result.wrong_absolute_share == 100 and result.right_absolute_share == 0
    assert any("absolute words" in p for p in result.problems())


def test_the_right_option_being_longest_more_often_than_chance_fails():
    long_right = Q("q1", (Opt("Ask the named nurse for advice today", True), Opt("Wait", False), Opt("Leave it", False)))
    result = figures("m", [long_right, long_right])
    assert result.longest_right == 2 and result.longest_right_by_chance == 2 / 3
    assert any("longest option" in p and "q1" in p for p in result.problems())


def test_balanced_options_pass_and_true_false_questions_are_left_out():
    balanced = Q("q1", (Opt("Ask the nurse", True), Opt("Wait for the review", False), Opt("Phone the parents", False)))
    true_false = Q("q2", (Opt("True", True), Opt("False", False)), type="true_false")
    result = figures("m", [balanced, true_false])
    assert result.questions == 1 and result.problems() == []


def test_the_shipped_modules_pass_the_lint_and_the_cli_lists_each(runner):
    result = runner.invoke(args=["content", "lint"])
    assert "police-protection" in result.output and "all modules" in result.output
    assert "FAIL" not in result.output and result.exit_code == 0


def test_content_check_fails_when_a_module_gives_its_answers_away(runner, monkeypatch):
    from learning.content.lint import OptionFigures

    giveaway = OptionFigures(name="police-protection", questions=4, wrong_options=8, wrong_absolute=8,
                             right_options=4, right_absolute=0, longest_right=0, longest_right_by_chance=1.0,
                             longest_right_ids=())
    monkeypatch.setattr("learning.content.commands.lint_options", lambda modules: ([giveaway], giveaway))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1 and "absolute words" in result.output
