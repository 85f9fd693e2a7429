"""summary index with the person: an agency's people counts read the index alone

Revision ID: 8e4a7c1d5b92
Revises: 6a1f3c8e2d47
Create Date: 2026-12-05 06:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e4a7c1d5b92'
down_revision = '6a1f3c8e2d47'
branch_labels = None
depends_on = None

BEFORE = ['agency_id', 'module_id', 'expiry', 'open', 'failed']


def upgrade():
    op.drop_index('ix_compliance_summary_agency', table_name='compliance_summary')
    op.create_index('ix_compliance_summary_agency', 'compliance_summary', [*BEFORE, 'user_id'])


def downgrade():
    op.drop_index('ix_compliance_summary_agency', table_name='compliance_summary')
    op.create_index('ix_compliance_summary_agency', 'compliance_summary', BEFORE)
