"""session times in UTC: course_session.starts_at and ends_at were the partnership's local
time as typed; they become UTC (converted from TIME_ZONE, Europe/London by default), so
"has the session started?" compares like with like in British Summer Time too

Revision ID: b7d2e9a41c63
Revises: c3a7e1f0d2b4
Create Date: 2026-12-05 03:30:00

"""
import os
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d2e9a41c63'
down_revision = 'c3a7e1f0d2b4'
branch_labels = None
depends_on = None

SESSION = sa.table("course_session", sa.column("id", sa.Integer), sa.column("starts_at", sa.DateTime),
                   sa.column("ends_at", sa.DateTime))


def _zone() -> ZoneInfo:
    # The same setting as the app's (learning/config.py TIME_ZONE).
    return ZoneInfo(os.environ.get("TIME_ZONE", "Europe/London"))


def _to_utc(moment):
    return moment.replace(tzinfo=_zone()).astimezone(UTC).replace(tzinfo=None)


def _to_local(moment):
    return moment.replace(tzinfo=UTC).astimezone(_zone()).replace(tzinfo=None)


def _convert(change) -> None:
    # Row by row: the offset depends on each date (GMT or BST). Sessions are few.
    conn = op.get_bind()
    rows = conn.execute(sa.select(SESSION.c.id, SESSION.c.starts_at, SESSION.c.ends_at)).all()
    for session_id, starts_at, ends_at in rows:
        conn.execute(SESSION.update().where(SESSION.c.id == session_id)
                     .values(starts_at=change(starts_at), ends_at=change(ends_at)))


def upgrade():
    _convert(_to_utc)


def downgrade():
    _convert(_to_local)
