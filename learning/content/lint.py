"""Do the options give the answer away? Two tells a test-wise learner uses.

1. Absolute words ("always", "never", "only"...) in wrong options: learners learn that
   sweeping statements are usually false. The share of wrong options with one should be
   close to the share of right options with one (within MAX_ABSOLUTE_GAP points).
2. The right option is the longest: writers qualify the right answer until it is the
   longest. By chance the longest option is a right one in correct/options of the
   questions (1/n for single choice); a module may not beat chance.

True/false questions are left out: their options are the words True and False.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

ABSOLUTE_WORDS = (
    "always", "never", "only", "all", "none", "every", "everyone", "everything", "nothing",
    "nobody", "no one", "completely", "entirely", "automatically", "guaranteed", "must", "cannot",
)
_ABSOLUTE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ABSOLUTE_WORDS) + r")\b", re.IGNORECASE)

MAX_ABSOLUTE_GAP = 5.0  # percentage points


class _Option(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def correct(self) -> bool: ...


class _Question(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def options(self) -> Sequence[_Option]: ...


class _Module(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def questions(self) -> Sequence[_Question]: ...


def has_absolute(text: str) -> bool:
    return bool(_ABSOLUTE.search(text))


@dataclass(frozen=True)
class OptionFigures:
    """The two tells over a set of questions."""
    name: str
    questions: int
    wrong_options: int
    wrong_absolute: int
    right_options: int
    right_absolute: int
    longest_right: int        # questions whose longest option is a right one
    longest_right_by_chance: float  # how many that would be by chance
    longest_right_ids: tuple[str, ...]

    @property
    def wrong_absolute_share(self) -> float:
        return 100 * self.wrong_absolute / self.wrong_options if self.wrong_options else 0.0

    @property
    def right_absolute_share(self) -> float:
        return 100 * self.right_absolute / self.right_options if self.right_options else 0.0

    @property
    def absolute_gap(self) -> float:
        return abs(self.wrong_absolute_share - self.right_absolute_share)

    def problems(self) -> list[str]:
        found = []
        if self.absolute_gap > MAX_ABSOLUTE_GAP:
            found.append(
                f"{self.name}: absolute words in {self.wrong_absolute_share:.0f}% of wrong options and "
                f"{self.right_absolute_share:.0f}% of right ones (a gap over {MAX_ABSOLUTE_GAP:.0f} points)")
        if self.longest_right > self.longest_right_by_chance:
            found.append(
                f"{self.name}: the longest option is a right one in {self.longest_right} of {self.questions} "
                f"questions, more than the {self.longest_right_by_chance:.1f} expected by chance "
                f"({', '.join(self.longest_right_ids)})")
        return found


def _longest_is_right(question: _Question) -> bool:
    longest = max(len(o.text) for o in question.options)
    # A tie for longest counts only when every tied option is right.
    return all(o.correct for o in question.options if len(o.text) == longest)


def figures(name: str, questions: Iterable[_Question]) -> OptionFigures:
    chosen = [q for q in questions if q.type != "true_false"]
    wrong = [o for q in chosen for o in q.options if not o.correct]
    right = [o for q in chosen for o in q.options if o.correct]
    longest = [q.id for q in chosen if _longest_is_right(q)]
    return OptionFigures(
        name=name, questions=len(chosen),
        wrong_options=len(wrong), wrong_absolute=sum(has_absolute(o.text) for o in wrong),
        right_options=len(right), right_absolute=sum(has_absolute(o.text) for o in right),
        longest_right=len(longest),
        longest_right_by_chance=sum(sum(o.correct for o in q.options) / len(q.options) for q in chosen),
        longest_right_ids=tuple(longest),
    )


def lint(modules: Iterable[_Module]) -> tuple[list[OptionFigures], OptionFigures]:
    """Figures per module and over all of them."""
    modules = list(modules)
    per_module = [figures(m.slug, m.questions) for m in modules]
    overall = figures("all modules", [q for m in modules for q in m.questions])
    return per_module, overall
