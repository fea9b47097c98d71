"""A running job's lease: jobs.heartbeat_at.

A job is marked "running" before its work starts; when its worker dies (killed, out of memory,
the machine restarted) nothing marked it failed, and its page answered "running" for ever. The
worker now beats while it works; a job not heard of for longer than JOB_LEASE_SECONDS is marked
failed. The column keeps the last beat the database knows of. Jobs running at the upgrade get
none and are judged by their start.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_column('heartbeat_at')
