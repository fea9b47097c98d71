"""A session's GMV may be the buyer-paid amount: live_sessions.gmv_basis.

A per-session 直播大屏 download carries 用户支付金额 but no 成交金额; its GMV is marked
"buyer_paid" until a 罗盘 list of the same session brings the platform's GMV. Existing sessions
came from lists and stay NULL (the platform's GMV).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions') as batch_op:
        batch_op.add_column(sa.Column('gmv_basis', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('live_sessions') as batch_op:
        batch_op.drop_column('gmv_basis')
