"""Content validation: each kind of error is reported with the file and the id."""
import re
import shutil
from pathlib import Path

import pytest

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
