"""Roster and training imports as batches in the one import history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:10:00

"""


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
