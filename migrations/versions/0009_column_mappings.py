"""Saved column mappings for export layouts no profile knows, and the mapping a batch was read with.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('column_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('header_key', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_column_mappings_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_column_mappings')),
    sa.UniqueConstraint('name', name=op.f('uq_column_mappings_name'))
    )
    with op.batch_alter_table('import_batches') as batch_op:
        batch_op.add_column(sa.Column('mapping_name', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('import_batches') as batch_op:
        batch_op.drop_column('mapping_name')
    op.drop_table('column_mappings')
