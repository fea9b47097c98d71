"""The streamer portal: responses to finalized appraisals with their threads, and the forced
password change after an initial or reset password.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'appraisal_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('appraisal_id', sa.Integer(), nullable=False),
        sa.Column('streamer_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=True),
        sa.Column('disputed_line', sa.String(length=40), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disputed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('streamer_read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('acknowledged', 'disputed', 'resolved')",
            name=op.f('ck_appraisal_responses_status_known'),
        ),
        sa.ForeignKeyConstraint(
            ['appraisal_id'], ['appraisals.id'],
            name=op.f('fk_appraisal_responses_appraisal_id_appraisals'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['resolved_by_id'], ['users.id'],
            name=op.f('fk_appraisal_responses_resolved_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['streamer_id'], ['streamers.id'],
            name=op.f('fk_appraisal_responses_streamer_id_streamers'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_responses')),
        sa.UniqueConstraint('appraisal_id', name=op.f('uq_appraisal_responses_appraisal_id')),
    )
    op.create_index('ix_appraisal_responses_status', 'appraisal_responses', ['status'])
    op.create_index(
        op.f('ix_appraisal_responses_streamer_id'), 'appraisal_responses', ['streamer_id']
    )

    op.create_table(
        'response_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('side', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('adjustment_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("side IN ('streamer', 'hr')", name=op.f('ck_response_messages_side_known')),
        sa.CheckConstraint(
            "kind IN ('acknowledge', 'dispute', 'reply', 'answer', 'resolve', 'adjust')",
            name=op.f('ck_response_messages_kind_known'),
        ),
        sa.ForeignKeyConstraint(
            ['adjustment_id'], ['appraisal_adjustments.id'],
            name=op.f('fk_response_messages_adjustment_id_appraisal_adjustments'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['author_id'], ['users.id'],
            name=op.f('fk_response_messages_author_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['response_id'], ['appraisal_responses.id'],
            name=op.f('fk_response_messages_response_id_appraisal_responses'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_response_messages')),
    )
    op.create_index(
        op.f('ix_response_messages_response_id'), 'response_messages', ['response_id']
    )

    # A plain ADD COLUMN: a batch (copy-and-move) of `users` on SQLite would drop the table
    # the other tables point at, and their ON DELETE CASCADE rows (the roles) with it.
    op.add_column(
        'users',
        sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    op.drop_column('users', 'must_change_password')
    op.drop_index(op.f('ix_response_messages_response_id'), table_name='response_messages')
    op.drop_table('response_messages')
    op.drop_index(op.f('ix_appraisal_responses_streamer_id'), table_name='appraisal_responses')
    op.drop_index('ix_appraisal_responses_status', table_name='appraisal_responses')
    op.drop_table('appraisal_responses')
