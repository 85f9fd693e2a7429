"""Issue 21 item 6: the Whole Family Approach and Risk in the Community, the two modules of the
review's learning offer that were missing, built to the same bar as the others."""
from pathlib import Path

import pytest

from learning.content import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE, ERRORS = load_catalogue(ROOT / "quizzes")
NEW = ["whole-family", "risk-in-the-community"]
CAST = ("Kayla", "Ellie", "Mason", "Liam", "Donna", "Lisa", "Tia", "Grace", "Jo Patel", "Dan Brooks")


def _module(slug):
    return CATALOGUE.modules[slug]


def _facts(module) -> set[str]:
    return {fact for q in module.questions for fact in q.facts}


def _teaching(module, rec_id) -> list:
    return [q for q in module.questions if rec_id in q.recommendations]


def test_the_two_modules_follow_the_original_eight_in_the_curriculum():
    assert ERRORS == []
    slugs = [m.slug for m in CATALOGUE.ordered()]
    assert slugs[8:10] == NEW


@pytest.mark.parametrize("slug", NEW)
def test_each_new_module_has_a_decision_whose_wrong_options_lead_to_a_consequence(slug):
    module = _module(slug)
    branches = {s.id for s in module.stages if s.branch}
    decisions = [q for q in module.questions if q.decision]
    assert len(decisions) == 1 and len(branches) == 3
    wrong = [o for o in decisions[0].options if not o.correct]
    assert {o.leads_to for o in wrong} == branches


@pytest.mark.parametrize("slug", NEW)
def test_what_the_review_found_names_no_one_from_our_invented_case(slug):
    what_happened = _module(slug).learning.what_happened
    assert not [name for name in CAST if name in what_happened]


def test_the_whole_family_module_rests_on_every_fact_of_section_k():
    assert {f"K{n}" for n in range(1, 10)} <= _facts(_module("whole-family"))


def test_risk_in_the_community_rests_on_every_fact_of_section_l():
    assert {f"L{n}" for n in range(1, 8)} <= _facts(_module("risk-in-the-community"))


def test_the_whole_family_module_does_not_use_the_label_it_warns_against():
    module = _module("whole-family")
    text = " ".join([module.learning.what_happened, *module.learning.key_points, module.learning.why_it_matters,
                     *(s.narrative for s in module.stages),
                     *(q.prompt + q.explanation + " ".join(o.text + o.feedback for o in q.options)
                       for q in module.questions)])
    assert "toxic trio" not in text.lower()


@pytest.mark.parametrize("slug", NEW)
def test_both_modules_teach_partnership_oversight_of_agency_attendance(slug):
    questions = _teaching(_module(slug), "rec-agency-oversight")
    assert questions
    right = [o.text for q in questions for o in q.options if o.correct]
    assert any("partnership" in text for text in right)


def test_the_therapeutic_offer_reaches_a_young_adult_survivor_and_a_teenager():
    kayla = _teaching(_module("whole-family"), "rec-therapeutic-cse")
    tia = _teaching(_module("risk-in-the-community"), "rec-therapeutic-cse")
    assert [q.id for q in kayla] == ["wf-12"] and "Kayla" in kayla[0].prompt
    assert [q.id for q in tia] == ["rc-11"] and "Tia" in tia[0].prompt
    # The right answer is help with the trauma; the wrong ones deal with behaviour or wait.
    for question in (*kayla, *tia):
        right = next(o for o in question.options if o.correct)
        assert "trauma" in question.explanation and ("pace" in right.text)
