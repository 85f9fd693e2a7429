"""compliance snapshot by agency and day: an agency's dashboard reads its own days, not every
agency's rows for those days

Revision ID: 6a1f3c8e2d47
Revises: 3b8e5d2c6f19
Create Date: 2026-12-05 06:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '6a1f3c8e2d47'
down_revision = '3b8e5d2c6f19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_compliance_snapshot_agency_day', 'compliance_snapshot', ['agency_id', 'day'], unique=False)


def downgrade():
    op.drop_index('ix_compliance_snapshot_agency_day', table_name='compliance_snapshot')
