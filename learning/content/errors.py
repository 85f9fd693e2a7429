"""Content errors, and how a schema error becomes one an author can act on.

Pydantic reports a place as a path of keys and list positions, ("questions", 3, "options",
1, "feedback"); an author thinks of the file and the id they wrote: "modules/x.toml:
question 'pp-04' option 'b': missing key 'feedback'". where() turns one into the other
by reading the ids from the file's own data.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from learning.content.fields import PROBLEM

# A list of tables and what one of its items is called.
ITEMS = {
    "stages": "stage", "questions": "question", "options": "option",
    "themes": "theme", "recommendations": "recommendation", "outcomes": "outcome",
}
# How FORMAT.md writes each list of tables.
TABLES = {"stages": "[[stages]]", "questions": "[[questions]]", "options": "[[questions.options]]"}
TYPE_NAMES = {"string_type": "str", "int_type": "int", "bool_type": "bool"}
BOUNDS = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le")}


@dataclass(frozen=True)
class ContentError:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


class InvalidContent(Exception):
    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class Place:
    where: str
    key: str | None  # the key the error is about, if any
    in_list: bool  # the error is about one value in the key's list


def place(loc: tuple[str | int, ...], data: Any, top: str) -> Place:
    """Where in the file a schema error is, named by the ids written there."""
    parts: list[str] = []
    key: str | None = None
    in_list = False
    node = data
    for step in loc:
        child = _child(node, step)
        if isinstance(step, int) and key in ITEMS and isinstance(child, dict):
            parts.append(_item_name(ITEMS[key], child, step))
            key, in_list = None, False
        elif isinstance(step, int):
            in_list = True
        else:
            if key is not None:  # the previous key was a table: [learning], [review]
                parts.append(key)
            key, in_list = step, False
        node = child
    return Place(" ".join(parts) or top, key, in_list)


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict) and isinstance(step, str):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    return None


def _item_name(kind: str, item: dict, index: int) -> str:
    return f"{kind} '{item['id']}'" if "id" in item else f"{kind} #{index + 1}"


def message(error: ErrorDetails, at: Place) -> str:
    """The author's message for one schema error."""
    kind = error["type"]
    if kind == PROBLEM:  # one of our own rules, already in the author's words
        return str(error["ctx"]["problem"])
    if kind == "missing":
        return f"missing key '{at.key}'"
    if kind == "extra_forbidden":
        return f"unknown key '{at.key}'"
    named = f"'{at.key}' " if at.key else ""
    return named + _should(error, at)


def _should(error: ErrorDetails, at: Place) -> str:
    kind = error["type"]
    if kind in TYPE_NAMES:
        return "should be a list of strings" if at.in_list else f"should be {TYPE_NAMES[kind]}"
    if kind in ("tuple_type", "list_type"):
        return f"should be a list of {TABLES[at.key]} tables" if at.key in TABLES else "should be a list"
    if kind in ("model_type", "dict_type"):
        return "should be a list of tables" if at.in_list else "should be a table"
    if kind in BOUNDS:
        word, limit = BOUNDS[kind]
        return f"should be {word} {error['ctx'][limit]}"
    return error["msg"]


def from_validation(file: str, top: str, exc: ValidationError, data: Any) -> list[ContentError]:
    """One ContentError per schema error, in file order, each said once."""
    errors: list[ContentError] = []
    for error in exc.errors(include_url=False):
        at = place(error["loc"], data, top)
        found = ContentError(file, at.where, message(error, at))
        if found not in errors:
            errors.append(found)
    return errors
