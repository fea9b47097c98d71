"""Roster and training imports as batches in the one import history.

import_batches already had a kind column (sessions, and training since its first import);
the roster now writes batches too, and the column names the three kinds it may hold. A roster
batch keeps, per streamer, what it changed (roster_revisions), so that it can be rolled back.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches') as batch_op:
        batch_op.create_check_constraint(
            'kind_known', "kind IN ('sessions', 'roster', 'training')"
        )
    op.create_table('roster_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('streamer_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('did', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_roster_revisions_batch_id_import_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['streamer_id'], ['streamers.id'], name=op.f('fk_roster_revisions_streamer_id_streamers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_revisions'))
    )
    with op.batch_alter_table('roster_revisions') as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_revisions_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_revisions_streamer_id'), ['streamer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('roster_revisions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_revisions_streamer_id'))
        batch_op.drop_index(batch_op.f('ix_roster_revisions_batch_id'))
    op.drop_table('roster_revisions')
    with op.batch_alter_table('import_batches') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_import_batches_kind_known'), type_='check')
