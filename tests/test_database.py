"""learning/database.py: Core statements on the session's connection."""
from sqlalchemy import func, select

from learning.database import run
from learning.extensions import db
from learning.models import Agency


def test_a_core_statement_sees_orm_changes_not_yet_flushed(ctx):
    db.session.add(Agency(name="Pending Police", sector="police"))
    assert run(select(func.count()).select_from(Agency).where(Agency.name == "Pending Police")).scalar() == 1


def test_a_core_statement_runs_in_the_sessions_transaction(ctx):
    db.session.add(Agency(name="Rolled Back Police", sector="police"))
    run(select(func.count()).select_from(Agency))
    db.session.rollback()
    assert run(select(func.count()).select_from(Agency).where(Agency.name == "Rolled Back Police")).scalar() == 0
