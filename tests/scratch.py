"""Empty databases of the kind the suite runs on, for tests that need their own schema
(migrations from scratch, a gunicorn server): a temporary SQLite file, or, when
TEST_DATABASE_URL is set, a throwaway schema in that PostgreSQL database."""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def on_postgresql() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL"))


@contextmanager
def scratch_database(tmp_path: Path):
    """Yield the URL of an empty database; remove it afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    schema = f"scratch_{secrets.token_hex(4)}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

