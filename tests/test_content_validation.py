"""Content validation: each kind of error is reported with the file and the id."""
import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from learning import create_app
from learning.content import InvalidContent, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).with_name("fixtures") / "tiny-module.toml"


@pytest.fixture
def content_dir(tmp_path):
    (tmp_path / "modules").mkdir()
    review = (ROOT / "quizzes" / "review.toml").read_text()
    # The fixture directory holds one module, so drop the real curriculum order.
    (tmp_path / "review.toml").write_text(re.sub(r"^modules = \[.*?\]\n", "", review, flags=re.S | re.M))
    shutil.copy(TINY, tmp_path / "modules" / "tiny-module.toml")
    return tmp_path


def errors_after(content_dir: Path, old: str, new: str, count: int = 1) -> list[str]:
    path = content_dir / "modules" / "tiny-module.toml"
    text = path.read_text()
    assert old in text, f"the fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, count))
    _, errors = load_catalogue(content_dir)
    return [str(e) for e in errors]


def test_the_fixture_module_is_valid(content_dir):
    catalogue, errors = load_catalogue(content_dir)
    assert errors == []
    assert list(catalogue.modules) == ["tiny-module"]


def test_the_real_content_is_valid():
    catalogue, errors = load_catalogue(ROOT / "quizzes")
    assert [str(e) for e in errors] == []
    assert "police-protection" in catalogue.modules


def test_an_unknown_key_is_named_with_file_and_question(content_dir):
    errors = errors_after(content_dir, 'id = "q2"\n', 'id = "q2"\ncolour = "blue"\n')
    assert "modules/tiny-module.toml: question 'q2': unknown key 'colour'" in errors


def test_a_question_without_a_correct_option_is_an_error(content_dir):
    errors = errors_after(content_dir, 'text = "Right"\ncorrect = true', 'text = "Right"\ncorrect = false')
    assert any("question 'q1'" in e and "exactly one correct option" in e for e in errors), errors


def test_an_option_without_feedback_is_an_error(content_dir):
    errors = errors_after(content_dir, 'feedback = "No, because of this."\n', "")
    assert "modules/tiny-module.toml: question 'q1' option 'c': missing key 'feedback'" in errors


def test_empty_feedback_is_an_error(content_dir):
    errors = errors_after(content_dir, 'feedback = "No, because of this."', 'feedback = "  "')
    assert any("option 'c'" in e and "'feedback' is empty" in e for e in errors), errors


def test_a_duplicate_question_id_is_an_error(content_dir):
    errors = errors_after(content_dir, 'id = "q2"', 'id = "q1"')
    assert "modules/tiny-module.toml: question 'q1': duplicate id" in errors


def test_an_unknown_theme_is_an_error(content_dir):
    errors = errors_after(content_dir, 'themes = ["police-protection"]\n\n[[questions.options]]\nid = "true"',
                          'themes = ["knitting"]\n\n[[questions.options]]\nid = "true"')
    assert "modules/tiny-module.toml: question 'q2': unknown theme 'knitting'" in errors


def test_an_unknown_recommendation_is_an_error(content_dir):
    errors = errors_after(content_dir, 'recommendations = ["rec-police-protection"]\n\n[learning]',
                          'recommendations = ["rec-nothing"]\n\n[learning]')
    assert "modules/tiny-module.toml: module: unknown recommendation 'rec-nothing'" in errors


def test_leads_to_must_name_a_branch_stage(content_dir):
    errors = errors_after(content_dir, 'leads_to = "oops"', 'leads_to = "one"')
    assert any("leads_to 'one' is not a branch stage" in e for e in errors), errors


def test_draws_must_add_up_to_questions_per_attempt(content_dir):
    errors = errors_after(content_dir, "questions_per_attempt = 2", "questions_per_attempt = 3")
    assert any("questions_per_attempt is 3 but the stages draw 2" in e for e in errors), errors


# Each rule of the schema, broken once in the fixture: (what is wrong, text in the fixture,
# what it becomes, the error an author sees, less the file name).
RULES = [
    ("an unknown key in an option", 'id = "a"\ntext = "Right"', 'id = "a"\nshade = 1\ntext = "Right"',
     "question 'q1' option 'a': unknown key 'shade'"),
    ("an unknown key in a stage", 'id = "one"\ntitle', 'id = "one"\npace = 3\ntitle',
     "stage 'one': unknown key 'pace'"),
    ("an unknown key in the learning page", 'why_it_matters = "It matters."\n',
     'why_it_matters = "It matters."\nextra = 1\n', "learning: unknown key 'extra'"),
    ("an unknown key in the module", 'audience = "Testers"\n', 'audience = "Testers"\nauthor = "Me"\n',
     "module: unknown key 'author'"),
    ("a missing module key", 'audience = "Testers"\n', "", "module: missing key 'audience'"),
    ("a number written as text", "pass_mark = 80", 'pass_mark = "80"', "module: 'pass_mark' should be int"),
    ("true written for a number", "pass_mark = 80", "pass_mark = true", "module: 'pass_mark' should be int"),
    ("a pass mark over 100", "pass_mark = 80", "pass_mark = 180", "module: 'pass_mark' should be at most 100"),
    ("a version of 0", "version = 1", "version = 0", "module: 'version' should be at least 1"),
    ("true or false written as text", 'correct = false\nfeedback = "No."', 'correct = "no"\nfeedback = "No."',
     "question 'q2' option 'false': 'correct' should be bool"),
    ("a blank prompt", 'prompt = "First question?"', 'prompt = " "', "question 'q1': 'prompt' is empty"),
    ("a number in a list of theme ids", 'themes = ["police-protection"]\n\n[[questions.options]]\nid = "true"',
     'themes = ["police-protection", 3]\n\n[[questions.options]]\nid = "true"',
     "question 'q2': 'themes' should be a list of strings"),
    ("a slug that is not lower-case words", 'slug = "tiny-module"', 'slug = "Tiny_module"',
     "module: slug 'Tiny_module' should be lower-case words joined by hyphens"),
    ("a slug that is not the file name", 'slug = "tiny-module"', 'slug = "other-module"',
     "module: slug 'other-module' should match the file name 'tiny-module'"),
    ("a question without facts", 'facts = ["A1"]', "facts = []",
     "question 'q1': needs at least one fact reference from content-facts.md"),
    ("a fact reference of the wrong form", 'facts = ["A1"]', 'facts = ["Z99"]',
     "question 'q1': fact reference 'Z99' should look like 'A4'"),
    ("a question without themes", 'themes = ["police-protection"]\n\n[[questions.options]]\nid = "true"',
     'themes = []\n\n[[questions.options]]\nid = "true"', "question 'q2': needs at least one theme"),
    ("an unknown question type", 'type = "single"', 'type = "essay"',
     "question 'q1': unknown type 'essay' (known: multiple, single, true_false)"),
    ("a question in a stage that does not exist", 'stage = "one"', 'stage = "nowhere"',
     "question 'q1': unknown stage 'nowhere' (or a branch stage, which holds no questions)"),
    ("a stage drawing more questions than it has", "draw = 2", "draw = 3",
     "stage 'one': draws 3 questions but has only 2"),
    ("a branch stage that draws questions", "draw = 0\nbranch = true", "draw = 1\nbranch = true",
     "stage 'oops': a branch stage draws no questions: set draw = 0"),
    ("a branch stage without a learning point", 'learning_point = "Do it the safe way."\n', "",
     "stage 'oops': a branch stage needs a learning_point"),
    ("a learning point on a main stage", "draw = 2\n", 'draw = 2\nlearning_point = "Be safe."\n',
     "stage 'one': only branch stages have a learning_point"),
    ("a duplicate stage id", 'id = "one"\ntitle', 'id = "oops"\ntitle', "stage 'oops': duplicate id"),
    ("leads_to on a question that is not a decision", "decision = true\n", "",
     "question 'q1' option 'b': only options of a decision question may have leads_to"),
    ("leads_to on the correct option", 'correct = false\nfeedback = "No, because."\nleads_to',
     'correct = true\nfeedback = "No, because."\nleads_to',
     "question 'q1' option 'b': the correct option continues the main case; leads_to is for unsafe choices"),
    ("two questions with the same prompt", 'prompt = "Second question?"', 'prompt = "first  QUESTION?"',
     "question 'q2': has the same prompt as question 'q1'"),
    ("two options with the same id", 'id = "a"\ntext = "Right"', 'id = "b"\ntext = "Right"',
     "question 'q1' option 'b': duplicate id"),
    ("a theme listed that no question teaches", 'themes = ["police-protection"]\nrecommendations',
     'themes = ["police-protection", "escalation"]\nrecommendations',
     "module: theme 'escalation' is listed but no question teaches it"),
]


@pytest.mark.parametrize("old, new, expected", [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES])
def test_each_rule_names_the_file_and_the_id_it_concerns(content_dir, old, new, expected):
    assert f"modules/tiny-module.toml: {expected}" in errors_after(content_dir, old, new)


def test_an_unknown_key_in_review_toml_is_an_error_and_modules_are_still_checked_against_it(content_dir):
    review = content_dir / "review.toml"
    review.write_text(review.read_text().replace("[review]\n", '[review]\ncolour = "red"\n'))
    _, errors = load_catalogue(content_dir)
    # The module's themes are still known, so the one mistake is reported once.
    assert [str(e) for e in errors] == ["review.toml: review: unknown key 'colour'"]


def test_a_duplicate_theme_id_in_review_toml_is_an_error(content_dir):
    review = content_dir / "review.toml"
    review.write_text(review.read_text() + '\n[[themes]]\nid = "escalation"\ntitle = "Again"\n')
    _, errors = load_catalogue(content_dir)
    assert "review.toml: theme 'escalation': duplicate id" in [str(e) for e in errors]


def test_loaded_content_cannot_be_changed_by_accident(content_dir):
    catalogue, _ = load_catalogue(content_dir)
    question = catalogue.modules["tiny-module"].question("q1")
    with pytest.raises(ValidationError):
        question.prompt = "Changed?"
    assert question.prompt == "First question?"


def test_invalid_toml_is_reported_not_raised(content_dir):
    errors = errors_after(content_dir, 'title = "A tiny module"', 'title = "A tiny module')
    assert any("is not valid TOML" in e for e in errors), errors


def test_the_app_refuses_to_start_on_invalid_content(content_dir):
    errors_after(content_dir, 'feedback = "No, because of this."\n', "")
    with pytest.raises(InvalidContent) as raised:
        create_app(testing=True, test_config={"CONTENT_DIR": str(content_dir)})
    assert "missing key 'feedback'" in str(raised.value)


def test_content_check_exits_non_zero_and_names_the_file_and_id(content_dir):
    errors_after(content_dir, 'id = "q2"', 'id = "q1"')
    broken = create_app(testing=True, strict_content=False, test_config={"CONTENT_DIR": str(content_dir)})
    result = broken.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "ERROR modules/tiny-module.toml: question 'q1': duplicate id" in result.output


def test_content_check_passes_on_the_real_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "no errors" in result.output


def test_a_module_listed_in_the_curriculum_needs_a_file(content_dir):
    review = content_dir / "review.toml"
    review.write_text(review.read_text().replace("[review]\n", '[review]\nmodules = ["tiny-module", "missing-module"]\n'))
    _, errors = load_catalogue(content_dir)
    assert "review.toml: modules: lists 'missing-module' but there is no modules/missing-module.toml" in [str(e) for e in errors]


def test_the_curriculum_order_comes_from_review_toml():
    catalogue, _ = load_catalogue(ROOT / "quizzes")
    assert [m.slug for m in catalogue.ordered()][:3] == ["police-protection", "public-law-outline", "parental-consent-hospital"]


def test_fact_references_reach_sections_k_and_l_of_the_facts_file_and_no_further(content_dir):
    accepted = errors_after(content_dir, 'facts = ["A1"]', 'facts = ["K4", "L7"]')
    assert not [e for e in accepted if "fact reference" in e]
    rejected = errors_after(content_dir, 'facts = ["K4", "L7"]', 'facts = ["M1"]')
    assert "modules/tiny-module.toml: question 'q1': fact reference 'M1' should look like 'A4'" in rejected


def test_a_listed_recommendation_without_an_outcome_is_an_error(content_dir):
    errors = errors_after(content_dir, '[[outcomes]]\nrecommendation = "rec-police-protection"',
                          '[[nothing]]\nrecommendation = "rec-police-protection"')
    assert any("unknown key 'nothing'" in e for e in errors), errors
    (content_dir / "modules" / "tiny-module.toml").write_text(
        (content_dir / "modules" / "tiny-module.toml").read_text().split("[[nothing]]")[0])
    _, errors = load_catalogue(content_dir)
    assert ("modules/tiny-module.toml: module: recommendation 'rec-police-protection' needs a learning outcome "
            "([[outcomes]])" in [str(e) for e in errors])


def test_an_outcome_for_a_recommendation_the_module_does_not_list_is_an_error(content_dir):
    errors = errors_after(content_dir, 'recommendation = "rec-police-protection"\ntext = "Explain',
                          'recommendation = "rec-escalation"\ntext = "Explain')
    assert ("modules/tiny-module.toml: outcome #1: recommendation 'rec-escalation' is not one the module lists"
            in errors), errors


def test_two_outcomes_for_one_recommendation_is_an_error(content_dir):
    path = content_dir / "modules" / "tiny-module.toml"
    path.write_text(path.read_text() + '\n[[outcomes]]\nrecommendation = "rec-police-protection"\ntext = "Again."\n')
    _, errors = load_catalogue(content_dir)
    assert ("modules/tiny-module.toml: outcome #2: recommendation 'rec-police-protection' already has an outcome"
            in [str(e) for e in errors])


def test_every_shipped_module_has_one_outcome_per_listed_recommendation(app):
    from learning.content.catalogue import catalogue
    with app.app_context():
        modules = catalogue().ordered()
    for module in modules:
        assert [o.recommendation for o in module.outcomes] == list(module.recommendations), module.slug
