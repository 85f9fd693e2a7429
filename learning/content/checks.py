"""Rules across a whole module file: ids, stages, draws and branches, and coverage.

Each rule adds what it finds to a Problems list at the place of the item concerned
("stages", 2), so the author is told the file and the id. They run once every item in
the file is well formed on its own (see schema.ModuleContent).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from learning.content.fields import Problems

if TYPE_CHECKING:
    from learning.content.schema import ModuleContent


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


def unique_ids(found: Problems, items: Sequence[_HasId], section: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            found.add("duplicate id", section, index)
        seen.add(item.id)


def stages(found: Problems, module: ModuleContent) -> None:
    """Each main stage can draw what it asks for, and the draws add up."""
    unique_ids(found, module.stages, "stages")
    for index, stage in enumerate(module.stages):
        if stage.branch:
            continue
        pool = module.questions_in(stage.id)
        if len(pool) < stage.draw:
            found.add(f"draws {stage.draw} questions but has only {len(pool)}", "stages", index)
        if sum(1 for q in pool if q.decision) > stage.draw:
            found.add("has more decision questions than it draws", "stages", index)
    total_draw = sum(s.draw for s in module.stages)
    if total_draw != module.questions_per_attempt:
        found.add(f"questions_per_attempt is {module.questions_per_attempt} but the stages draw {total_draw}")
    if not module.main_stages:
        found.add("needs at least one stage that is not a branch")


def questions(found: Problems, module: ModuleContent) -> None:
    """Ids and prompts are not repeated; stages and branches named exist."""
    unique_ids(found, module.questions, "questions")
    main = {s.id for s in module.main_stages}
    branches = {s.id for s in module.stages if s.branch}
    first_with_prompt: dict[str, str] = {}
    for index, question in enumerate(module.questions):
        prompt = " ".join(question.prompt.lower().split())
        if prompt in first_with_prompt:
            found.add(f"has the same prompt as question '{first_with_prompt[prompt]}'", "questions", index)
        first_with_prompt.setdefault(prompt, question.id)
        if question.stage not in main:
            found.add(f"unknown stage '{question.stage}' (or a branch stage, which holds no questions)",
                      "questions", index)
        for option_index, option in enumerate(question.options):
            if option.leads_to is not None and option.leads_to not in branches:
                found.add(f"leads_to '{option.leads_to}' is not a branch stage",
                          "questions", index, "options", option_index)


def listed_refs_are_taught(found: Problems, module: ModuleContent) -> None:
    """A theme or recommendation the module lists is taught by at least one of its questions."""
    taught_themes = {t for q in module.questions for t in q.themes}
    taught_recs = {r for q in module.questions for r in q.recommendations}
    for theme in module.themes:
        if theme not in taught_themes:
            found.add(f"theme '{theme}' is listed but no question teaches it")
    for rec in module.recommendations:
        if rec not in taught_recs:
            found.add(f"recommendation '{rec}' is listed but no question teaches it")


def outcomes(found: Problems, module: ModuleContent) -> None:
    """One learning outcome per recommendation the module lists, and none for any other."""
    listed = set(module.recommendations)
    seen: set[str] = set()
    for index, outcome in enumerate(module.outcomes):
        if outcome.recommendation not in listed:
            found.add(f"recommendation '{outcome.recommendation}' is not one the module lists", "outcomes", index)
        elif outcome.recommendation in seen:
            found.add(f"recommendation '{outcome.recommendation}' already has an outcome", "outcomes", index)
        seen.add(outcome.recommendation)
    for rec in module.recommendations:
        if rec not in seen:
            found.add(f"recommendation '{rec}' needs a learning outcome ([[outcomes]])")
