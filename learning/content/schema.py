"""The content schema: what a module file (and review.toml) may hold, declared as models.

A loaded module is these models themselves, frozen: the app reads ModuleContent, Stage,
Question and Option as they were validated. Every model forbids keys it does not declare,
so a misspelt key is an error rather than silently ignored. Field rules live in the types
(fields.py); rules about one item's fields together live on its model; rules across the
whole module (stages, branches, duplicates) live in checks.py. quizzes/FORMAT.md is the
authors' version of this file.
"""
from __future__ import annotations

from functools import cached_property
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from learning.content import checks
from learning.content.fields import (
    Count,
    FactRef,
    Flag,
    LocalKey,
    Positive,
    Problems,
    QuestionTypeName,
    RecommendationId,
    SectorNotes,
    Slug,
    Strings,
    Stripped,
    Text,
    ThemeId,
    WebAddress,
    file_stem,
    needs,
    problem,
)
from learning.content.question_types import REGISTRY, QuestionType, prompt_problems

# Question has a field named "type", so inside it the builtin needs another name.
QuestionKind = type[QuestionType]


class Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Content):
    id: Text
    text: Text
    correct: Flag
    feedback: Text
    leads_to: Text | None = None

    @model_validator(mode="after")
    def _only_unsafe_choices_branch(self) -> Self:
        if self.leads_to is not None and self.correct:
            raise problem("the correct option continues the main case; leads_to is for unsafe choices")
        return self


class Question(Content):
    id: Text
    stage: Text
    type: QuestionTypeName
    prompt: Text
    explanation: Text
    source: Text
    facts: Annotated[tuple[FactRef, ...], needs("needs at least one fact reference from content-facts.md")]
    themes: Annotated[tuple[ThemeId, ...], needs("needs at least one theme")]
    recommendations: tuple[RecommendationId, ...] = ()
    options: Annotated[tuple[Option, ...], needs("needs [[questions.options]]")]
    decision: Flag = False
    # Keys of partnership.toml's [procedures], shown as links with the feedback and review.
    local: tuple[LocalKey, ...] = ()
    # An optional note per sector, shown in the feedback to that sector's staff.
    sector_notes: SectorNotes = Field(default_factory=dict)

    @model_validator(mode="after")
    def _options_suit_the_question(self) -> Self:
        found = Problems()
        checks.unique_ids(found, self.options, "options")
        for index, option in enumerate(self.options):
            if option.leads_to is not None and not self.decision:
                found.add("only options of a decision question may have leads_to", "options", index)
        # Each question type knows its own rules (how many options, how many correct).
        for message in self.kind.problems(self.options) + prompt_problems(self.prompt):
            found.add(message)
        found.raise_any("Question", self.id)
        return self

    def __hash__(self) -> int:
        # Frozen models hash every field, and sector_notes is a dict: hash what the
        # question asks instead (equal questions still hash equal).
        return hash((self.id, self.stage, self.prompt, self.options))

    @property
    def kind(self) -> QuestionKind:
        return REGISTRY[self.type]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def sector_note(self, sector: str | None) -> str | None:
        return self.sector_notes.get(sector) if sector else None

    def correct_ids(self) -> list[str]:
        return [o.id for o in self.options if o.correct]

    def is_right(self, chosen: set[str]) -> bool:
        return self.kind.score(self.options, chosen)


class Stage(Content):
    id: Text
    title: Text
    narrative: Text
    draw: Count
    branch: Flag = False
    learning_point: Stripped = ""

    @model_validator(mode="after")
    def _branches_teach_instead_of_drawing(self) -> Self:
        found = Problems()
        if self.branch and self.draw != 0:
            found.add("a branch stage draws no questions: set draw = 0")
        if self.branch and not self.learning_point:
            found.add("a branch stage needs a learning_point")
        if not self.branch and "learning_point" in self.model_fields_set:
            found.add("only branch stages have a learning_point")
        found.raise_any("Stage", self.id)
        return self


class Learning(Content):
    what_happened: Text
    key_points: Strings
    why_it_matters: Text


class Outcome(Content):
    """A learning outcome: what a practitioner can do after the module, for one review
    recommendation the module teaches. People rate their confidence in each, before the
    first question and on the result page (learning/impact)."""

    recommendation: RecommendationId
    text: Text


class ModuleContent(Content):
    slug: Slug
    title: Text
    version: Positive
    audience: Text
    summary: Text
    estimated_minutes: Annotated[Positive, Field(le=180)]
    pass_mark: Annotated[Positive, Field(le=100)]
    validity_months: Annotated[Positive, Field(le=120)]
    questions_per_attempt: Positive
    themes: tuple[ThemeId, ...]
    recommendations: tuple[RecommendationId, ...] = ()
    # One per recommendation the module lists, in the order they are rated.
    outcomes: tuple[Outcome, ...] = ()
    learning: Learning
    stages: tuple[Stage, ...]
    questions: tuple[Question, ...]

    @field_validator("slug")
    @classmethod
    def _slug_names_the_file(cls, slug: str, info: ValidationInfo) -> str:
        stem = file_stem(info)
        if stem is not None and slug != stem:
            raise problem(f"slug '{slug}' should match the file name '{stem}'")
        return slug

    @model_validator(mode="after")
    def _parts_fit_together(self) -> Self:
        found = Problems()
        checks.stages(found, self)
        checks.questions(found, self)
        checks.listed_refs_are_taught(found, self)
        checks.outcomes(found, self)
        found.raise_any("ModuleContent", self.slug)
        return self

    def question(self, question_id: str) -> Question | None:
        return self.questions_by_id.get(question_id)

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    @property
    def main_stages(self) -> list[Stage]:
        return [s for s in self.stages if not s.branch]

    def questions_in(self, stage_id: str) -> list[Question]:
        return [q for q in self.questions if q.stage == stage_id]

    def outcome(self, recommendation: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.recommendation == recommendation), None)

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


class Procedure(Content):
    """One local procedure in partnership.toml: what it is called and where to read it."""

    title: Text
    url: WebAddress


class Partnership(Content):
    """quizzes/partnership.toml: the local procedures the modules link to, by key. A
    partnership using the service for another area edits this file only."""

    procedures: dict[Slug, Procedure] = Field(default_factory=dict)


class Theme(Content):
    """A theme or a recommendation of the review."""

    id: Text
    title: Text


class ReviewDetails(Content):
    id: Text
    title: Text
    summary: Text
    modules: tuple[Slug, ...] = ()


class Review(Content):
    """quizzes/review.toml: the review, its themes and recommendations, and the curriculum order."""

    review: ReviewDetails
    themes: tuple[Theme, ...]
    recommendations: tuple[Theme, ...]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Self:
        found = Problems()
        checks.unique_ids(found, self.themes, "themes")
        checks.unique_ids(found, self.recommendations, "recommendations")
        found.raise_any("Review", self.review.id)
        return self
