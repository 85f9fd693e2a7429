"""counted figures: the partnership's figures counted by the worker, read by every web process

Revision ID: 7d41c2a9e8f3
Revises: 5e3b9d1c7a42
Create Date: 2026-12-05 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d41c2a9e8f3'
down_revision = '5e3b9d1c7a42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'counted_figures',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('counted_at', sa.DateTime(), nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_counted_figures')),
    )


def downgrade():
    op.drop_table('counted_figures')
