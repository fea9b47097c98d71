"""Messages as data: stored English sentences become message ids with parameters.

Whatever was stored for later display as an English sentence (scoring's reasons in appraisal
explanations, audit summaries, job titles) is rewritten as ``{"id": msgid, "params": {...}}``
(hrapp/core/messages.py), so that each reader sees it in their own language. A sentence this
migration does not recognise is kept as it is: it is shown as written.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    _scoring_reasons(connection)
    _audit_and_jobs(connection)


def downgrade():
    pass


def _scoring_reasons(connection) -> None:
    """Appraisal explanations: not-graded and data-incomplete reasons."""


def _audit_and_jobs(connection) -> None:
    """Audit summaries and job titles."""
