"""courses: session version and cancellation, walk-ins, booking reminders, the course email log

Revision ID: c0a5e5000001
Revises: c0f1a2b3d4e5
Create Date: 2026-12-05 01:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c0a5e5000001'
down_revision = 'c0f1a2b3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_in', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(), nullable=True))
    op.create_table(
        'session_email',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('delivered', sa.Boolean(), server_default=sa.text('true'), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['course_session.id'], name=op.f('fk_session_email_session_id_course_session')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_session_email_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_email')),
    )
    with op.batch_alter_table('session_email', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_email_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_email_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('session_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_email_user_id'))
        batch_op.drop_index(batch_op.f('ix_session_email_session_id'))
    op.drop_table('session_email')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('reminder_sent_at')
        batch_op.drop_column('walk_in')
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('version')
