"""Closing a quarter: stale cycles, settlement lines, score overrides, shared comments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 21:44:53.501242

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appraisal_adjustments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('source_cycle_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason_params', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appraisal_adjustments_appraisal_id'), ['appraisal_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_appraisal_adjustments_appraisal_id_source_cycle_id'), ['appraisal_id', 'source_cycle_id'])
        batch_op.create_foreign_key(batch_op.f('fk_appraisal_adjustments_source_cycle_id_appraisal_cycles'), 'appraisal_cycles', ['source_cycle_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('kind_known', "kind IN ('pay', 'score', 'settlement')")

    with op.batch_alter_table('appraisal_cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stale_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stale_reasons', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('appraisal_revisions', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_appraisal_revisions_appraisal_id_revision'), ['appraisal_id', 'revision'])

    with op.batch_alter_table('appraisals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_comment', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('score_override', sa.Float(), nullable=True))



def downgrade():
    with op.batch_alter_table('appraisals', schema=None) as batch_op:
        batch_op.drop_column('score_override')
        batch_op.drop_column('shared_comment')

    with op.batch_alter_table('appraisal_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_appraisal_revisions_appraisal_id_revision'), type_='unique')

    with op.batch_alter_table('appraisal_cycles', schema=None) as batch_op:
        batch_op.drop_column('stale_reasons')
        batch_op.drop_column('stale_since')

    with op.batch_alter_table('appraisal_adjustments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_appraisal_adjustments_kind_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_appraisal_adjustments_source_cycle_id_appraisal_cycles'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_appraisal_adjustments_appraisal_id_source_cycle_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_appraisal_adjustments_appraisal_id'))
        batch_op.drop_column('reason_params')
        batch_op.drop_column('source_cycle_id')
        batch_op.drop_column('score')

