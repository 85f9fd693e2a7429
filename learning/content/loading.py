"""Read quizzes/ into a Catalogue, validating every file against the schema."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from learning.content.errors import ContentError, from_validation
from learning.content.schema import ModuleContent, Partnership, Procedure, Review, Theme


@dataclass
class Catalogue:
    modules: dict[str, ModuleContent] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    recommendations: dict[str, Theme] = field(default_factory=dict)
    review_title: str = ""
    review_summary: str = ""
    order: list[str] = field(default_factory=list)
    # partnership.toml: the local procedures questions link to, by key.
    procedures: dict[str, Procedure] = field(default_factory=dict)

    def ordered(self) -> list[ModuleContent]:
        """Modules in curriculum order (review.toml), any others after them by name."""
        rank = {slug: i for i, slug in enumerate(self.order)}
        return sorted(self.modules.values(), key=lambda m: (rank.get(m.slug, len(rank)), m.slug))


def _read(path: Path, file: str) -> tuple[dict[str, Any] | None, list[ContentError]]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), []
    except OSError as exc:
        return None, [ContentError(file, "file", f"cannot be read: {exc}")]
    except tomllib.TOMLDecodeError as exc:
        return None, [ContentError(file, "file", f"is not valid TOML: {exc}")]


def load_review(path: Path) -> tuple[Catalogue, list[ContentError]]:
    data, errors = _read(path, path.name)
    if data is None:
        return Catalogue(), errors
    try:
        review = Review.model_validate(data)
    except ValidationError as exc:
        return _salvage(data), from_validation(path.name, "review", exc, data)
    return Catalogue(
        themes={t.id: t for t in review.themes}, recommendations={r.id: r for r in review.recommendations},
        review_title=review.review.title, review_summary=review.review.summary, order=list(review.review.modules),
    ), []


def _salvage(data: dict[str, Any]) -> Catalogue:
    """The theme and recommendation ids of a review.toml with errors, so that modules are
    checked against what it does say rather than each reporting every id as unknown."""
    def ids(kind: str) -> dict[str, Theme]:
        items = data.get(kind)
        tables = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        return {i["id"]: Theme.model_construct(id=i["id"], title=str(i.get("title", "")))
                for i in tables if isinstance(i.get("id"), str)}
    return Catalogue(themes=ids("themes"), recommendations=ids("recommendations"))


def load_partnership(path: Path) -> tuple[dict[str, Procedure], list[ContentError]]:
    """The local procedures by key. Without the file there are none, and any module that
    refers to one is told so."""
    if not path.exists():
        return {}, []
    data, errors = _read(path, path.name)
    if data is None:
        return {}, errors
    try:
        return dict(Partnership.model_validate(data).procedures), []
    except ValidationError as exc:
        return {}, from_validation(path.name, "partnership", exc, data)


def load_module(path: Path, catalogue: Catalogue) -> tuple[ModuleContent | None, list[ContentError]]:
    file = f"modules/{path.name}"
    data, errors = _read(path, file)
    if data is None:
        return None, errors
    try:
        return ModuleContent.model_validate(data, context={"catalogue": catalogue, "stem": path.stem}), []
    except ValidationError as exc:
        return None, from_validation(file, "module", exc, data)


def load_catalogue(content_dir: str | Path) -> tuple[Catalogue, list[ContentError]]:
    """Load everything; return the catalogue of valid modules and every error found."""
    root = Path(content_dir)
    catalogue, errors = load_review(root / "review.toml")
    catalogue.procedures, partnership_errors = load_partnership(root / "partnership.toml")
    errors.extend(partnership_errors)
    files = sorted((root / "modules").glob("*.toml"))
    if not files:
        errors.append(ContentError("modules/", "directory", "has no module files"))
    for path in files:
        module, module_errors = load_module(path, catalogue)
        errors.extend(module_errors)
        if module:
            catalogue.modules[module.slug] = module
    stems = {p.stem for p in files}
    for slug in catalogue.order:
        if slug not in stems:
            errors.append(ContentError("review.toml", "modules", f"lists '{slug}' but there is no modules/{slug}.toml"))
    return catalogue, errors


def coverage(catalogue: Catalogue) -> dict[str, dict[str, list[str]]]:
    """For each theme and recommendation id: module slug -> ids of questions that teach it."""
    result: dict[str, dict[str, list[str]]] = {k: {} for k in [*catalogue.themes, *catalogue.recommendations]}
    for module in catalogue.ordered():
        for question in module.questions:
            for ref in (*question.themes, *question.recommendations):
                result.setdefault(ref, {}).setdefault(module.slug, []).append(question.id)
    return result
