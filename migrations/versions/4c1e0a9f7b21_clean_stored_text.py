"""clean stored text: NFC, no characters XML 1.0 forbids

Text typed before the one rule for text (learning/text.py) applied on the way in may hold
characters that break every workbook that includes it (U+FFFE, control characters) or
differ from the same text typed elsewhere only in its Unicode form. This cleans the text
columns people fill, as `text.clean` would have on the way in.

The rule is copied here, not imported, so that this migration does tomorrow what it does
today whatever becomes of the module. A unique value (an agency's name, a team's name in
its agency, an email) whose cleaned form another row already has is not merged into it:
its forbidden characters become U+FFFD (the replacement character) instead, so it stays
distinct; if even that is taken it is left alone (exports clean it on the way out).

Revision ID: 4c1e0a9f7b21
Revises: a16f2a000001
Create Date: 2026-12-05 00:20:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4c1e0a9f7b21'
down_revision = 'a16f2a000001'
branch_labels = None
depends_on = None

_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)

# table -> (text columns people fill, the columns a unique value is unique within or None)
COLUMNS = {
    "agency": (("name",), {"name": ()}),
    "team": (("name",), {"name": ("agency_id",)}),
    "user": (("name", "job_title", "email"), {"email": ()}),
    "course": (("title", "description"), {}),
    "course_session": (("venue", "trainer"), {}),
    "external_record": (("title", "provider", "evidence_note", "evidence_filename", "review_note"), {}),
}


def _clean(value, replacement=""):
    if not value:
        return value
    return unicodedata.normalize("NFC", _FORBIDDEN.sub(replacement, value))


def _clean_table(conn, name, columns, unique):
    table = sa.table(name, sa.column("id"), *(sa.column(c) for c in {*columns, *(s for v in unique.values() for s in v)}))
    rows = conn.execute(sa.select(table)).mappings().all()
    taken = {column: {(tuple(row[s] for s in scope), row[column]) for row in rows}
             for column, scope in unique.items()}
    for row in rows:
        changes = {}
        for column in columns:
            value = row[column]
            cleaned = _clean(value)
            if cleaned == value:
                continue
            if column in unique:
                key = tuple(row[s] for s in unique[column])
                if (key, cleaned) in taken[column]:
                    cleaned = _clean(value, "\ufffd")
                    if (key, cleaned) in taken[column]:
                        continue
                taken[column].add((key, cleaned))
            changes[column] = cleaned
        if changes:
            conn.execute(sa.update(table).where(table.c.id == row["id"]).values(**changes))


def upgrade():
    conn = op.get_bind()
    for name, (columns, unique) in COLUMNS.items():
        _clean_table(conn, name, columns, unique)


def downgrade():
    # The characters removed were never meant to be there; there is nothing to put back.
    pass
