"""name and email search: trigram indexes on PostgreSQL, so "name contains" finds its few
people without reading every account

Revision ID: 3b8e5d2c6f19
Revises: 9c2f4e7b1a05
Create Date: 2026-12-05 06:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3b8e5d2c6f19'
down_revision = '9c2f4e7b1a05'
branch_labels = None
depends_on = None


def upgrade():
    # pg_trgm ships with PostgreSQL and is a trusted extension (13 and later): the database's
    # owner may create it. SQLite has no such index; its searches read the names.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Named with its schema: the extension may live in another schema than the tables.
    schema = op.get_bind().exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'").scalar()
    op.execute(f'CREATE INDEX ix_user_name_search ON "user" USING gin (lower(name) {schema}.gin_trgm_ops)')
    op.execute(f'CREATE INDEX ix_user_email_search ON "user" USING gin (email {schema}.gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_user_email_search")
    op.execute("DROP INDEX ix_user_name_search")
