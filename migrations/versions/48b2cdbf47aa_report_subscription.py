"""report subscription: a compliance workbook emailed every week or month to a list of addresses

Revision ID: 48b2cdbf47aa
Revises: b7d2e9a41c63
Create Date: 2026-12-05 03:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '48b2cdbf47aa'
down_revision = 'b7d2e9a41c63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('frequency', sa.String(length=10), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('next_due', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=200), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_report_subscription_owner_id_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_report_subscription_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_subscription')),
    )
    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_subscription_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_subscription_next_due'), ['next_due'], unique=False)


def downgrade():
    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_subscription_next_due'))
        batch_op.drop_index(batch_op.f('ix_report_subscription_owner_id'))
    op.drop_table('report_subscription')
