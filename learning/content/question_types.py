"""The registry of question types: each knows how to validate its options and score an answer.

Adding a type means one class here and a form widget choice in learner/forms.py.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol


class _Option(Protocol):
    id: str
    correct: bool


@dataclass(frozen=True)
class QuestionType:
    name: ClassVar[str]
    label: ClassVar[str]
    multiple_answers: ClassVar[bool] = False
    shuffle: ClassVar[bool] = True

    @staticmethod
    def problems(options: Sequence[_Option]) -> list[str]:
        raise NotImplementedError

    @staticmethod
    def score(options: Sequence[_Option], chosen: set[str]) -> bool:
        """True when the chosen option ids are exactly the correct ones."""
        return chosen == {o.id for o in options if o.correct}


REGISTRY: dict[str, type[QuestionType]] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls
    return cls


# The page shows the type's label (the hint under the question, such as "Select all that
# apply"), so a prompt that says it too makes people read the instruction twice.
_INSTRUCTIONS = ("all that apply", "true or false", "choose one", "select one")


def prompt_problems(prompt: str) -> list[str]:
    said = [phrase for phrase in _INSTRUCTIONS if phrase in prompt.lower()]
    return [f"the prompt says {phrase!r}, which the hint under every question of its type already says: "
            "leave it out of the prompt" for phrase in said]


def _count_correct(options: Sequence[_Option]) -> int:
    return sum(1 for o in options if o.correct)


@register
class SingleChoice(QuestionType):
    name = "single"
    label = "Choose one answer"

    @staticmethod
    def problems(options):
        found = []
        if not 3 <= len(options) <= 5:
            found.append(f"a single-choice question needs 3 to 5 options, not {len(options)}")
        if _count_correct(options) != 1:
            found.append(f"a single-choice question needs exactly one correct option, not {_count_correct(options)}")
        return found

    @staticmethod
    def score(options, chosen):
        return len(chosen) == 1 and QuestionType.score(options, chosen)


@register
class MultipleResponse(QuestionType):
    name = "multiple"
    label = "Select all that apply"
    multiple_answers = True

    @staticmethod
    def problems(options):
        found = []
        if not 4 <= len(options) <= 6:
            found.append(f"a multiple-response question needs 4 to 6 options, not {len(options)}")
        if _count_correct(options) < 2:
            found.append("a multiple-response question needs at least two correct options")
        if _count_correct(options) == len(options):
            found.append("a multiple-response question needs at least one wrong option")
        return found


@register
class TrueFalse(QuestionType):
    name = "true_false"
    label = "True or false"
    shuffle = False  # "True" then "False" is the order people expect

    @staticmethod
    def problems(options):
        found = []
        if sorted(o.id for o in options) != ["false", "true"]:
            found.append("a true/false question needs exactly two options with ids 'true' and 'false'")
        if _count_correct(options) != 1:
            found.append("a true/false question needs exactly one correct option")
        return found

    @staticmethod
    def score(options, chosen):
        return len(chosen) == 1 and QuestionType.score(options, chosen)
