"""compliance person: per person, when the first of their required modules runs out if every
one is completed, so "compliant with all required learning" is found by an index

Revision ID: 9c2f4e7b1a05
Revises: 7d41c2a9e8f3
Create Date: 2026-12-05 06:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c2f4e7b1a05'
down_revision = '7d41c2a9e8f3'
branch_labels = None
depends_on = None

# learning/compliance/summary.py `person_source`, written out so that the migration does not
# depend on the application's code as it is later.
FILL = """
INSERT INTO compliance_person (user_id, agency_id, compliant_until)
SELECT user_id, max(agency_id), CASE WHEN count(expiry) = count(*) THEN min(expiry) END
FROM compliance_summary GROUP BY user_id
"""


def upgrade():
    op.create_table(
        'compliance_person',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('compliant_until', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_compliance_person_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_compliance_person_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_compliance_person')),
    )
    op.create_index('ix_compliance_person_compliant_until', 'compliance_person', ['compliant_until'])
    op.execute(FILL)


def downgrade():
    op.drop_index('ix_compliance_person_compliant_until', table_name='compliance_person')
    op.drop_table('compliance_person')
