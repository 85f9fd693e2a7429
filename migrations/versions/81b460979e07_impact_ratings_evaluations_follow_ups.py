"""impact: confidence ratings per outcome, course evaluations and follow-ups

Revision ID: 81b460979e07
Revises: 48b2cdbf47aa
Create Date: 2026-12-05 03:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '81b460979e07'
down_revision = '48b2cdbf47aa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'confidence_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=True),
        sa.Column('booking_id', sa.Integer(), nullable=True),
        sa.Column('moment', sa.String(length=10), nullable=False),
        sa.Column('recommendation', sa.String(length=100), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=False),
        sa.Column('rated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('rating BETWEEN 1 AND 5', name='ck_confidence_rating_range'),
        sa.CheckConstraint('(attempt_id IS NULL) <> (booking_id IS NULL)', name='ck_confidence_rating_source'),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('attempt_id', 'moment', 'recommendation'),
        sa.UniqueConstraint('booking_id', 'moment', 'recommendation'),
    )
    op.create_index('ix_confidence_rating_user_id', 'confidence_rating', ['user_id'])
    op.create_index('ix_confidence_rating_recommendation', 'confidence_rating', ['recommendation'])
    op.create_table(
        'follow_up',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('completion_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('used', sa.String(length=10), nullable=True),
        sa.Column('example', sa.Text(), nullable=True),
        sa.Column('barriers', sa.Text(), nullable=True),
        sa.Column('shared', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.ForeignKeyConstraint(['completion_id'], ['completion.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('completion_id'),
    )
    op.create_index('ix_follow_up_user_id', 'follow_up', ['user_id'])
    op.create_table(
        'course_evaluation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('invited_at', sa.DateTime(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('usefulness', sa.Integer(), nullable=True),
        sa.Column('differently', sa.Text(), nullable=True),
        sa.Column('comments', sa.Text(), nullable=True),
        sa.Column('shared', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.CheckConstraint('usefulness IS NULL OR usefulness BETWEEN 1 AND 5', name='ck_course_evaluation_usefulness'),
        sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('booking_id'),
    )
    op.create_index('ix_course_evaluation_user_id', 'course_evaluation', ['user_id'])


def downgrade():
    op.drop_table('course_evaluation')
    op.drop_table('follow_up')
    op.drop_table('confidence_rating')
