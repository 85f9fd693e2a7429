"""compliance summary: one kept row per (person, required module) with what the status needs

Revision ID: 5e3b9d1c7a42
Revises: 5bcb03c10a6b
Create Date: 2026-12-05 03:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e3b9d1c7a42'
down_revision = '5bcb03c10a6b'
branch_labels = None
depends_on = None

# The full computation (learning/compliance/summary.py `source`), written out so that the
# migration does not depend on the application's code as it is later.
FILL = """
INSERT INTO compliance_summary (user_id, module_id, agency_id, expiry, open, failed)
SELECT u.id, r.module_id, u.agency_id,
       (SELECT max(c.expires_at) FROM completion c
        WHERE c.user_id = u.id AND c.module_id = r.module_id AND c.revoked_at IS NULL),
       EXISTS (SELECT 1 FROM attempt t WHERE t.user_id = u.id AND t.module_id = r.module_id
               AND t.status = 'in_progress'),
       EXISTS (SELECT 1 FROM attempt t WHERE t.user_id = u.id AND t.module_id = r.module_id
               AND t.status = 'submitted' AND t.passed = false)
FROM "user" u
JOIN agency a ON a.id = u.agency_id
JOIN requirement r ON r.sector = a.sector
WHERE u.active = true AND a.active = true AND u.role IN ('practitioner', 'agency_lead')
"""


def upgrade():
    op.create_table(
        'compliance_summary',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('expiry', sa.DateTime(), nullable=True),
        sa.Column('open', sa.Boolean(), nullable=False),
        sa.Column('failed', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_compliance_summary_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_compliance_summary_module_id_module'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_compliance_summary_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'module_id', name=op.f('pk_compliance_summary')),
    )
    op.create_index('ix_compliance_summary_agency', 'compliance_summary',
                    ['agency_id', 'module_id', 'expiry', 'open', 'failed'], unique=False)
    # Staff lists are ordered by name: a page is the next few entries of one of these
    # (everyone's, or one agency's).
    op.create_index('ix_user_name', 'user', ['name', 'id'], unique=False)
    op.create_index('ix_user_agency_name', 'user', ['agency_id', 'name', 'id'], unique=False)
    op.execute(FILL)


def downgrade():
    op.drop_index('ix_user_agency_name', table_name='user')
    op.drop_index('ix_user_name', table_name='user')
    op.drop_index('ix_compliance_summary_agency', table_name='compliance_summary')
    op.drop_table('compliance_summary')
