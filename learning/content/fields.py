"""The field types the content schema is declared with, and how a rule reports a problem.

Each type carries its own rule and the plain-English message an author sees. Rules that
compare a file with review.toml (a theme id, a recommendation id) or with its own name
(the slug) read the validation context that loading.py passes: {"catalogue": ..., "stem": ...}.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, Strict, ValidationError, ValidationInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from learning.content.question_types import REGISTRY

if TYPE_CHECKING:
    from learning.content.loading import Catalogue

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FACT_REF = re.compile(r"^[A-L][0-9]{1,2}$")

# The error type every content rule raises; errors.py shows its message as written.
PROBLEM = "content"

Loc = tuple[str | int, ...]


def problem(message: str) -> PydanticCustomError:
    # The message goes in the context so that braces in an author's text are not read as a template.
    return PydanticCustomError(PROBLEM, "{problem}", {"problem": message})


class Problems:
    """Collects every problem a rule finds, each at its place, so an author fixes them all at once."""

    def __init__(self) -> None:
        self.found: list[tuple[str, Loc]] = []

    def add(self, message: str, *loc: str | int) -> None:
        self.found.append((message, loc))

    def raise_any(self, title: str, value: object) -> None:
        if self.found:
            raise ValidationError.from_exception_data(title, [
                InitErrorDetails(type=problem(message), loc=loc, input=value) for message, loc in self.found
            ])


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context or {}


def _text(value: str, info: ValidationInfo) -> str:
    if not value.strip():
        raise problem(f"'{info.field_name}' is empty")
    return value.strip()


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise problem(f"slug '{value}' should be lower-case words joined by hyphens")
    return value


def _fact(value: str) -> str:
    if not FACT_REF.match(value):
        raise problem(f"fact reference '{value}' should look like 'A4'")
    return value


def _known_procedure(value: str, info: ValidationInfo) -> str:
    catalogue: Catalogue | None = _context(info).get("catalogue")
    if catalogue is not None and value not in catalogue.procedures:
        known = ", ".join(sorted(catalogue.procedures)) or "none"
        raise problem(f"unknown local procedure '{value}' (partnership.toml names: {known})")
    return value


def _known_sectors(notes: dict[str, str]) -> dict[str, str]:
    # The sectors an agency can belong to: a note under any other key would reach nobody.
    from learning.models import Sector

    known = [s.value for s in Sector]
    unknown = [key for key in notes if key not in known]
    if unknown:
        raise problem(f"unknown sector '{unknown[0]}' in sector_notes (known: {', '.join(known)})")
    return notes


def _web_address(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
        raise problem(f"'{value}' should be a web address starting https://")
    return value


def _question_type(value: str) -> str:
    if value not in REGISTRY:
        raise problem(f"unknown type '{value}' (known: {', '.join(sorted(REGISTRY))})")
    return value


def _known_theme(value: str, info: ValidationInfo) -> str:
    catalogue: Catalogue | None = _context(info).get("catalogue")
    if catalogue is not None and value not in catalogue.themes:
        raise problem(f"unknown theme '{value}'")
    return value


def _known_recommendation(value: str, info: ValidationInfo) -> str:
    catalogue: Catalogue | None = _context(info).get("catalogue")
    if catalogue is not None and value not in catalogue.recommendations:
        raise problem(f"unknown recommendation '{value}'")
    return value


T = TypeVar("T")


def _needs(message: str) -> Callable[[Sequence[T]], Sequence[T]]:
    def check(values: Sequence[T]) -> Sequence[T]:
        if not values:
            raise problem(message)
        return values
    return check


def file_stem(info: ValidationInfo) -> str | None:
    return _context(info).get("stem")


# A string an author must write: not blank, kept without surrounding space.
Text = Annotated[str, Strict(), AfterValidator(_text)]
# A string that may be left out or blank.
Stripped = Annotated[str, Strict(), AfterValidator(str.strip)]
Slug = Annotated[str, Strict(), AfterValidator(_slug)]
FactRef = Annotated[str, Strict(), AfterValidator(_fact)]
QuestionTypeName = Annotated[str, Strict(), AfterValidator(_question_type)]
ThemeId = Annotated[str, Strict(), AfterValidator(_known_theme)]
RecommendationId = Annotated[str, Strict(), AfterValidator(_known_recommendation)]
Flag = Annotated[bool, Strict()]
# A key of partnership.toml's [procedures]: the local procedure a question links to.
LocalKey = Annotated[str, Strict(), AfterValidator(_known_procedure)]
# What a question means for the staff of each sector, keyed by learning.models.Sector values.
SectorNotes = Annotated[dict[Annotated[str, Strict()], Text], AfterValidator(_known_sectors)]
WebAddress = Annotated[str, Strict(), AfterValidator(str.strip), AfterValidator(_web_address)]
Strings = tuple[Annotated[str, Strict()], ...]

# Whole numbers, not bools nor strings of digits.
Positive = Annotated[int, Strict(), Field(ge=1)]
Count = Annotated[int, Strict(), Field(ge=0)]


def needs(message: str) -> AfterValidator:
    """For a list that needs at least one entry; message says what is missing."""
    return AfterValidator(_needs(message))
