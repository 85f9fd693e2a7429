"""Load and validate the learning content in quizzes/.

Content is data a trainer can review without reading code: one TOML file per module in
quizzes/modules/, plus quizzes/review.toml with the review's themes and recommendations.
Every problem is reported with the file and the id it concerns; the app refuses to start
while any remain (see create_app), and `flask content check` lists them all.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .question_types import REGISTRY

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FACT_REF = re.compile(r"^[A-L][0-9]{1,2}$")

MODULE_KEYS = {
    "slug", "title", "version", "audience", "summary", "estimated_minutes", "pass_mark",
    "validity_months", "questions_per_attempt", "themes", "recommendations", "learning",
    "stages", "questions",
}
MODULE_REQUIRED = MODULE_KEYS - {"recommendations"}
LEARNING_KEYS = {"what_happened", "key_points", "why_it_matters"}
STAGE_KEYS = {"id", "title", "narrative", "draw", "branch", "learning_point"}
QUESTION_KEYS = {
    "id", "stage", "type", "prompt", "explanation", "source", "facts", "themes",
    "recommendations", "decision", "options",
}
QUESTION_REQUIRED = QUESTION_KEYS - {"decision", "recommendations"}
OPTION_KEYS = {"id", "text", "correct", "feedback", "leads_to"}
OPTION_REQUIRED = OPTION_KEYS - {"leads_to"}


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool
    feedback: str
    leads_to: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    stage: str
    type: str
    prompt: str
    explanation: str
    source: str
    facts: tuple[str, ...]
    themes: tuple[str, ...]
    recommendations: tuple[str, ...]
    options: tuple[Option, ...]
    decision: bool = False

    @property
    def kind(self):
        return REGISTRY[self.type]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def correct_ids(self) -> list[str]:
        return [o.id for o in self.options if o.correct]

    def is_right(self, chosen: set[str]) -> bool:
        return self.kind.score(list(self.options), chosen)


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    narrative: str
    draw: int
    branch: bool = False
    learning_point: str = ""


@dataclass(frozen=True)
class Learning:
    what_happened: str
    key_points: tuple[str, ...]
    why_it_matters: str


@dataclass(frozen=True)
class ModuleContent:
    slug: str
    title: str
    version: int
    audience: str
    summary: str
    estimated_minutes: int
    pass_mark: int
    validity_months: int
    questions_per_attempt: int
    themes: tuple[str, ...]
    recommendations: tuple[str, ...]
    learning: Learning
    stages: tuple[Stage, ...]
    questions: tuple[Question, ...]
    path: Path

    def question(self, question_id: str) -> Question | None:
        return self._questions_by_id.get(question_id)

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    @property
    def main_stages(self) -> list[Stage]:
        return [s for s in self.stages if not s.branch]

    def questions_in(self, stage_id: str) -> list[Question]:
        return [q for q in self.questions if q.stage == stage_id]

    @property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


@dataclass(frozen=True)
class Theme:
    id: str
    title: str


@dataclass
class Catalogue:
    modules: dict[str, ModuleContent] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    recommendations: dict[str, Theme] = field(default_factory=dict)
    review_title: str = ""
    review_summary: str = ""
    order: list[str] = field(default_factory=list)

    def ordered(self) -> list[ModuleContent]:
        """Modules in curriculum order (review.toml), any others after them by name."""
        rank = {slug: i for i, slug in enumerate(self.order)}
        return sorted(self.modules.values(), key=lambda m: (rank.get(m.slug, len(rank)), m.slug))


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


class _Checker:
    """Collects every problem in one pass, so an author fixes them all at once."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[ContentError] = []

    def add(self, where: str, message: str) -> None:
        self.errors.append(ContentError(self.file, where, message))

    def keys(self, where: str, table: object, allowed: set[str], required: set[str]) -> bool:
        if not isinstance(table, dict):
            self.add(where, "should be a table")
            return False
        for key in sorted(set(table) - allowed):
            self.add(where, f"unknown key '{key}'")
        for key in sorted(required - set(table)):
            self.add(where, f"missing key '{key}'")
        return True

    def typed(self, where: str, table: dict, key: str, kind: type, *, min_value: int | None = None,
              max_value: int | None = None) -> None:
        if key not in table:
            return
        value = table[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            self.add(where, f"'{key}' should be {kind.__name__}")
            return
        if kind is str and not value.strip():
            self.add(where, f"'{key}' is empty")
        if min_value is not None and value < min_value:
            self.add(where, f"'{key}' should be at least {min_value}")
        if max_value is not None and value > max_value:
            self.add(where, f"'{key}' should be at most {max_value}")

    def str_list(self, where: str, table: dict, key: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(where, f"'{key}' should be a list of strings")
            return []
        return value


def load_review(path: Path) -> tuple[Catalogue, list[ContentError]]:
    check = _Checker(path.name)
    catalogue = Catalogue()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        check.add("file", f"cannot be read: {exc}")
        return catalogue, check.errors
    review = data.get("review", {})
    catalogue.review_title = review.get("title", "")
    catalogue.review_summary = review.get("summary", "").strip()
    catalogue.order = list(review.get("modules", []))
    for kind, target in (("themes", catalogue.themes), ("recommendations", catalogue.recommendations)):
        for item in data.get(kind, []):
            item_id = item.get("id", "?")
            if item_id in target:
                check.add(f"{kind} '{item_id}'", "duplicate id")
            target[item_id] = Theme(item_id, item.get("title", ""))
    return catalogue, check.errors


def load_module(path: Path, catalogue: Catalogue) -> tuple[ModuleContent | None, list[ContentError]]:
    check = _Checker(f"modules/{path.name}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        check.add("file", f"is not valid TOML: {exc}")
        return None, check.errors
    if not check.keys("module", data, MODULE_KEYS, MODULE_REQUIRED):
        return None, check.errors

    for key in ("slug", "title", "audience", "summary"):
        check.typed("module", data, key, str)
    for key, low, high in (("version", 1, None), ("estimated_minutes", 1, 180), ("pass_mark", 1, 100),
                           ("validity_months", 1, 120), ("questions_per_attempt", 1, None)):
        check.typed("module", data, key, int, min_value=low, max_value=high)
    slug = data.get("slug", "")
    if isinstance(slug, str) and slug != path.stem:
        check.add("module", f"slug '{slug}' should match the file name '{path.stem}'")
    if isinstance(slug, str) and not SLUG.match(slug):
        check.add("module", f"slug '{slug}' should be lower-case words joined by hyphens")

    themes = check.str_list("module", data, "themes")
    recommendations = check.str_list("module", data, "recommendations")
    for theme in themes:
        if theme not in catalogue.themes:
            check.add("module", f"unknown theme '{theme}'")
    for rec in recommendations:
        if rec not in catalogue.recommendations:
            check.add("module", f"unknown recommendation '{rec}'")

    learning_data = data.get("learning", {})
    learning = None
    if check.keys("learning", learning_data, LEARNING_KEYS, LEARNING_KEYS):
        check.typed("learning", learning_data, "what_happened", str)
        check.typed("learning", learning_data, "why_it_matters", str)
        key_points = check.str_list("learning", learning_data, "key_points")
        learning = Learning(
            learning_data.get("what_happened", "").strip(), tuple(key_points),
            learning_data.get("why_it_matters", "").strip(),
        )

    stages = _stages(check, data.get("stages", []))
    stage_ids = {s.id for s in stages}
    branch_ids = {s.id for s in stages if s.branch}
    questions = _questions(check, data.get("questions", []), stage_ids - branch_ids, branch_ids, catalogue)

    used_themes = {t for q in questions for t in q.themes}
    used_recs = {r for q in questions for r in q.recommendations}
    for theme in themes:
        if theme in catalogue.themes and theme not in used_themes:
            check.add("module", f"theme '{theme}' is listed but no question teaches it")
    for rec in recommendations:
        if rec in catalogue.recommendations and rec not in used_recs:
            check.add("module", f"recommendation '{rec}' is listed but no question teaches it")

    for stage in stages:
        if stage.branch:
            continue
        pool = [q for q in questions if q.stage == stage.id]
        decisions = [q for q in pool if q.decision]
        if len(pool) < stage.draw:
            check.add(f"stage '{stage.id}'", f"draws {stage.draw} questions but has only {len(pool)}")
        if len(decisions) > stage.draw:
            check.add(f"stage '{stage.id}'", "has more decision questions than it draws")
    total_draw = sum(s.draw for s in stages)
    if isinstance(data.get("questions_per_attempt"), int) and total_draw != data["questions_per_attempt"]:
        check.add("module", f"questions_per_attempt is {data['questions_per_attempt']} but the stages draw {total_draw}")
    if not [s for s in stages if not s.branch]:
        check.add("module", "needs at least one stage that is not a branch")

    if check.errors or learning is None:
        return None, check.errors
    return ModuleContent(
        slug=slug, title=data["title"].strip(), version=data["version"], audience=data["audience"].strip(),
        summary=data["summary"].strip(), estimated_minutes=data["estimated_minutes"],
        pass_mark=data["pass_mark"], validity_months=data["validity_months"],
        questions_per_attempt=data["questions_per_attempt"], themes=tuple(themes),
        recommendations=tuple(recommendations), learning=learning, stages=tuple(stages),
        questions=tuple(questions), path=path,
    ), []


def _stages(check: _Checker, raw: object) -> list[Stage]:
    if not isinstance(raw, list):
        check.add("stages", "should be a list of [[stages]] tables")
        return []
    stages: list[Stage] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, 1):
        where = f"stage '{item.get('id', index)}'" if isinstance(item, dict) else f"stage {index}"
        if not check.keys(where, item, STAGE_KEYS, {"id", "title", "narrative", "draw"}):
            continue
        for key in ("id", "title", "narrative"):
            check.typed(where, item, key, str)
        check.typed(where, item, "draw", int, min_value=0)
        branch = bool(item.get("branch", False))
        if item.get("id") in seen:
            check.add(where, "duplicate id")
        seen.add(item.get("id"))
        if branch and item.get("draw", 0) != 0:
            check.add(where, "a branch stage draws no questions: set draw = 0")
        if branch and not str(item.get("learning_point", "")).strip():
            check.add(where, "a branch stage needs a learning_point")
        if not branch and "learning_point" in item:
            check.add(where, "only branch stages have a learning_point")
        stages.append(Stage(
            id=str(item.get("id")), title=str(item.get("title", "")).strip(),
            narrative=str(item.get("narrative", "")).strip(), draw=item.get("draw", 0) if isinstance(item.get("draw"), int) else 0,
            branch=branch, learning_point=str(item.get("learning_point", "")).strip(),
        ))
    return stages


def _questions(check: _Checker, raw: object, main_stages: set[str], branch_stages: set[str],
               catalogue: Catalogue) -> list[Question]:
    if not isinstance(raw, list):
        check.add("questions", "should be a list of [[questions]] tables")
        return []
    questions: list[Question] = []
    seen: set[str] = set()
    prompts: dict[str, str] = {}
    for index, item in enumerate(raw, 1):
        qid = item.get("id", f"#{index}") if isinstance(item, dict) else f"#{index}"
        where = f"question '{qid}'"
        if not check.keys(where, item, QUESTION_KEYS, QUESTION_REQUIRED):
            continue
        for key in ("id", "prompt", "explanation", "source", "stage", "type"):
            check.typed(where, item, key, str)
        if qid in seen:
            check.add(where, "duplicate id")
        seen.add(qid)
        prompt_key = " ".join(str(item.get("prompt", "")).lower().split())
        if prompt_key in prompts:
            check.add(where, f"has the same prompt as question '{prompts[prompt_key]}'")
        prompts.setdefault(prompt_key, qid)
        if item.get("stage") not in main_stages:
            check.add(where, f"unknown stage '{item.get('stage')}' (or a branch stage, which holds no questions)")
        qtype = item.get("type")
        if qtype not in REGISTRY:
            check.add(where, f"unknown type '{qtype}' (known: {', '.join(sorted(REGISTRY))})")
        facts = check.str_list(where, item, "facts")
        if not facts:
            check.add(where, "needs at least one fact reference from content-facts.md")
        for fact in facts:
            if not FACT_REF.match(fact):
                check.add(where, f"fact reference '{fact}' should look like 'A4'")
        themes = check.str_list(where, item, "themes")
        recs = check.str_list(where, item, "recommendations")
        if not themes:
            check.add(where, "needs at least one theme")
        for theme in themes:
            if theme not in catalogue.themes:
                check.add(where, f"unknown theme '{theme}'")
        for rec in recs:
            if rec not in catalogue.recommendations:
                check.add(where, f"unknown recommendation '{rec}'")
        decision = bool(item.get("decision", False))
        options = _options(check, where, item.get("options", []), decision, branch_stages)
        if qtype in REGISTRY:
            for problem in REGISTRY[qtype].problems(options):
                check.add(where, problem)
        questions.append(Question(
            id=str(qid), stage=str(item.get("stage")), type=str(qtype), prompt=str(item.get("prompt", "")).strip(),
            explanation=str(item.get("explanation", "")).strip(), source=str(item.get("source", "")).strip(),
            facts=tuple(facts), themes=tuple(themes), recommendations=tuple(recs), options=tuple(options),
            decision=decision,
        ))
    return questions


def _options(check: _Checker, where: str, raw: object, decision: bool, branch_stages: set[str]) -> list[Option]:
    if not isinstance(raw, list) or not raw:
        check.add(where, "needs [[questions.options]]")
        return []
    options: list[Option] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, 1):
        owhere = f"{where} option '{item.get('id', index)}'" if isinstance(item, dict) else f"{where} option {index}"
        if not check.keys(owhere, item, OPTION_KEYS, OPTION_REQUIRED):
            continue
        for key in ("id", "text", "feedback"):
            check.typed(owhere, item, key, str)
        check.typed(owhere, item, "correct", bool)
        if item.get("id") in seen:
            check.add(owhere, "duplicate id")
        seen.add(item.get("id"))
        leads_to = item.get("leads_to")
        if leads_to is not None:
            if not decision:
                check.add(owhere, "only options of a decision question may have leads_to")
            elif leads_to not in branch_stages:
                check.add(owhere, f"leads_to '{leads_to}' is not a branch stage")
            if item.get("correct"):
                check.add(owhere, "the correct option continues the main case; leads_to is for unsafe choices")
        options.append(Option(
            id=str(item.get("id")), text=str(item.get("text", "")).strip(), correct=item.get("correct") is True,
            feedback=str(item.get("feedback", "")).strip(), leads_to=leads_to,
        ))
    return options


def load_catalogue(content_dir: str | Path) -> tuple[Catalogue, list[ContentError]]:
    """Load everything; return the catalogue of valid modules and every error found."""
    root = Path(content_dir)
    catalogue, errors = load_review(root / "review.toml")
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
