"""compliance snapshot: the figures per agency, module and status, kept daily

Revision ID: c0f1a2b3d4e5
Revises: 4c1e0a9f7b21
Create Date: 2026-12-05 01:25:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c0f1a2b3d4e5'
down_revision = '4c1e0a9f7b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'compliance_snapshot',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_compliance_snapshot_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_compliance_snapshot_module_id_module'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('day', 'agency_id', 'module_id', 'status', name=op.f('pk_compliance_snapshot')),
    )


def downgrade():
    op.drop_table('compliance_snapshot')
