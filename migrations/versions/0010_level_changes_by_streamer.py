"""An index of level changes by streamer.

Every view of a streamer's scorecard counts their level changes (the fingerprint of what its
kept page shows, hrapp.portal.fingerprints): without an index each view read every level change
of the agency (about 30 µs of the view's 2 ms at 500 streamers, growing with the agency).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 06:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('level_changes') as batch_op:
        batch_op.create_index('ix_level_changes_streamer_id', ['streamer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('level_changes') as batch_op:
        batch_op.drop_index('ix_level_changes_streamer_id')
