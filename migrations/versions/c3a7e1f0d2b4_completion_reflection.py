"""completion reflection: what the person will do differently, and whether their lead may see it

Revision ID: c3a7e1f0d2b4
Revises: c0a5e5000001
Create Date: 2026-12-05 01:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3a7e1f0d2b4'
down_revision = 'c0a5e5000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reflection', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reflection_shared', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_column('reflection_shared')
        batch_op.drop_column('reflection')
