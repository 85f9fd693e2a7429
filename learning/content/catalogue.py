"""The loaded content, held on the app, and its mirror rows in the module table."""
from __future__ import annotations

from flask import Flask, abort, current_app
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from learning.content import Catalogue, InvalidContent, ModuleContent, Procedure, load_catalogue
from learning.extensions import db
from learning.models import Module, Requirement, Sector


def init_catalogue(app: Flask, strict: bool = True) -> None:
    catalogue, errors = load_catalogue(app.config["CONTENT_DIR"])
    app.extensions["catalogue"] = catalogue
    app.extensions["content_errors"] = errors
    # Templates turn a question's local keys into links (feedback, review) with this.
    app.jinja_env.globals["local_procedures"] = _local_procedures
    if errors and strict:
        # Refuse to start: a wrong answer key in safeguarding training does harm.
        raise InvalidContent(errors)
    with app.app_context():
        # Only when the schema is up to date: `flask db upgrade` itself starts the app
        # before the tables exist.
        if set(db.metadata.tables) <= set(inspect(db.engine).get_table_names()):
            sync_modules(catalogue)


def _local_procedures(keys: tuple[str, ...]) -> list[Procedure]:
    procedures = catalogue().procedures
    return [procedures[key] for key in keys if key in procedures]


def catalogue() -> Catalogue:
    return current_app.extensions["catalogue"]


def module_content(slug: str) -> ModuleContent:
    module = catalogue().modules.get(slug)
    if module is None:
        abort(404)
    return module


def sync_modules(cat: Catalogue) -> dict[str, Module]:
    """Insert or update one row per catalogue module. Safe to run from several workers."""
    rows = {m.slug: m for m in db.session.scalars(select(Module))}
    for content in cat.ordered():
        row = rows.get(content.slug)
        if row is None:
            # A new module is required for every sector until a coordinator says otherwise.
            row = Module(slug=content.slug)
            row.requirements = [Requirement(sector=sector.value) for sector in Sector]
            db.session.add(row)
            rows[content.slug] = row
        row.title = content.title
        row.version = content.version
        row.validity_months = content.validity_months
        row.pass_mark = content.pass_mark
    try:
        db.session.commit()
    except IntegrityError:  # another worker synced first
        db.session.rollback()
        rows = {m.slug: m for m in db.session.scalars(select(Module))}
    return rows


def module_rows() -> dict[str, Module]:
    rows = {m.slug: m for m in db.session.scalars(select(Module))}
    if set(catalogue().modules) - set(rows):
        rows = sync_modules(catalogue())
    return rows


def ordered_module_rows() -> list[Module]:
    """Module rows in curriculum order, for choices in forms."""
    rows = module_rows()
    return [rows[c.slug] for c in catalogue().ordered() if c.slug in rows]
