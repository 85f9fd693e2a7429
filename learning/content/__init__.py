"""The learning content in quizzes/: its schema, and loading and validating it.

Content is data a trainer can review without reading code: one TOML file per module in
quizzes/modules/, plus quizzes/review.toml with the review's themes and recommendations.
schema.py declares what each file may hold (pydantic models that forbid unknown keys);
checks.py holds the rules across a whole module; errors.py names every problem by file and
id; loading.py reads the directory. The app refuses to start while any error remains (see
create_app), and `flask content check` lists them all.
"""
from learning.content.errors import ContentError, InvalidContent
from learning.content.loading import Catalogue, coverage, load_catalogue, load_module, load_review
from learning.content.schema import Learning, ModuleContent, Option, Procedure, Question, Stage, Theme

__all__ = [
    "Catalogue", "ContentError", "InvalidContent", "Learning", "ModuleContent", "Option", "Procedure", "Question", "Stage",
    "Theme", "coverage", "load_catalogue", "load_module", "load_review",
]
