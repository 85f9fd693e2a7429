"""jobs (workbooks built by the worker) and stored files (FILE_STORE=database)

Revision ID: 5bcb03c10a6b
Revises: 81b460979e07
Create Date: 2026-12-05 03:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5bcb03c10a6b'
down_revision = '81b460979e07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('scope', sa.Text(), nullable=False),
        sa.Column('active_key', sa.String(length=400), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('rows_expected', sa.Integer(), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('file_key', sa.String(length=140), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_job_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
        sa.UniqueConstraint('user_id', 'active_key', name=op.f('uq_job_user_id_active_key')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)
    op.create_table(
        'stored_file_chunk',
        sa.Column('key', sa.String(length=140), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'seq', name=op.f('pk_stored_file_chunk')),
    )
    with op.batch_alter_table('stored_file_chunk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_chunk_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('stored_file_chunk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_chunk_created_at'))
    op.drop_table('stored_file_chunk')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status'))
        batch_op.drop_index(batch_op.f('ix_job_user_id'))
    op.drop_table('job')
