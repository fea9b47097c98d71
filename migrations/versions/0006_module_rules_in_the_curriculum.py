"""A module's pass mark and validity are the curriculum's; which modules a promotion step
requires is the appraisal scheme's.

Before, both held both: a scheme's promotion modules carried min_score / valid_months beside
the curriculum's pass_mark / validity_months, and training_modules.required_for listed the
steps beside the scheme's modules, so the training pages and the promotion checklist could
disagree. Upgrading:

1. Where the latest scheme version asked more of a module than the curriculum does (a higher
   minimum score, a shorter validity), the curriculum takes the scheme's value, so that the
   move makes nobody eligible for promotion who was not.
2. Every stored scheme version loses min_score and valid_months from its promotion modules.
   The keys are cut out of the text where they sit in inline tables, so comments and layout
   stay; a document in another layout is written again in canonical form.
3. training_modules.required_for is dropped: the active scheme says it.

Downgrade brings the column back, filled from the latest scheme version; the keys removed from
scheme documents are not put back.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:00:00

"""
import re
import tomllib

import sqlalchemy as sa
from alembic import op

from scoring import to_toml

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MOVED = ("min_score", "valid_months")
_NUMBER = r"[-+0-9._eE]+"
# `, min_score = 80` (or `min_score = 80, ` first in the table) inside an inline table.
_AFTER = re.compile(rf"\s*,\s*(?:{'|'.join(MOVED)})\s*=\s*{_NUMBER}(?=\s*[,}}])")
_BEFORE = re.compile(rf"(?<=\{{)\s*(?:{'|'.join(MOVED)})\s*=\s*{_NUMBER}\s*,")

schemes = sa.table(
    "scheme_versions", sa.column("id", sa.Integer), sa.column("version", sa.Integer),
    sa.column("toml", sa.Text),
)
modules = sa.table(
    "training_modules", sa.column("id", sa.Integer), sa.column("code", sa.String),
    sa.column("pass_mark", sa.Float), sa.column("validity_months", sa.Integer),
    sa.column("assessed", sa.Boolean), sa.column("required_for", sa.JSON),
)


def _without_moved_keys(data: dict) -> dict:
    for rule in data.get("promotion", []):
        for module in rule.get("modules", []):
            for key in MOVED:
                module.pop(key, None)
    return data


# What the shipped default document said of the keys, and what it says now.
OLD_COMMENT = (
    "# A module counts when passed with score >= min_score, and, with valid_months, completed\n"
    "# within that many months before the as-of date.\n"
)
NEW_COMMENT = (
    "# The training modules the step requires. Whether one is passed and still valid is the\n"
    "# curriculum's rule (each module's pass mark and validity, kept by the trainers), the same\n"
    "# that the training pages show.\n"
)


def _document_without_moved_keys(text: str) -> str:
    wanted = _without_moved_keys(tomllib.loads(text))
    cut = _BEFORE.sub("", _AFTER.sub("", text)).replace(OLD_COMMENT, NEW_COMMENT)
    try:
        if tomllib.loads(cut) == wanted:
            return cut
    except tomllib.TOMLDecodeError:
        pass
    return to_toml(wanted)


def _strictest(latest: dict) -> dict[str, dict]:
    """Per module code, the highest minimum score and the shortest validity the scheme set."""
    asked: dict[str, dict] = {}
    for rule in latest.get("promotion", []):
        for module in rule.get("modules", []):
            wanted = asked.setdefault(module["code"], {})
            if "min_score" in module:
                wanted["pass_mark"] = max(wanted.get("pass_mark", 0), float(module["min_score"]))
            if "valid_months" in module:
                shortest = wanted.get("validity_months", module["valid_months"])
                wanted["validity_months"] = min(shortest, int(module["valid_months"]))
    return asked


def upgrade():
    connection = op.get_bind()
    versions = connection.execute(
        sa.select(schemes.c.id, schemes.c.toml).order_by(schemes.c.version)
    ).all()
    if versions:
        asked = _strictest(tomllib.loads(versions[-1].toml))
        for row in connection.execute(sa.select(modules)).mappings():
            wanted = asked.get(row["code"], {})
            changes = {}
            mark = wanted.get("pass_mark")
            if mark is not None and (row["pass_mark"] is None or row["pass_mark"] < mark):
                changes.update(pass_mark=mark, assessed=True)
            months = wanted.get("validity_months")
            if months is not None and (
                row["validity_months"] is None or row["validity_months"] > months
            ):
                changes["validity_months"] = months
            if changes:
                connection.execute(
                    modules.update().where(modules.c.id == row["id"]).values(**changes)
                )
    for version_id, text in versions:
        cleaned = _document_without_moved_keys(text)
        if cleaned != text:
            connection.execute(
                schemes.update().where(schemes.c.id == version_id).values(toml=cleaned)
            )
    with op.batch_alter_table("training_modules") as batch_op:
        batch_op.drop_column("required_for")


def downgrade():
    with op.batch_alter_table("training_modules") as batch_op:
        batch_op.add_column(
            sa.Column("required_for", sa.JSON(), nullable=False, server_default="[]")
        )
    connection = op.get_bind()
    latest = connection.execute(
        sa.select(schemes.c.toml).order_by(schemes.c.version.desc()).limit(1)
    ).scalar()
    steps: dict[str, list[str]] = {}
    for rule in tomllib.loads(latest).get("promotion", []) if latest else []:
        for module in rule.get("modules", []):
            steps.setdefault(module["code"], []).append(f"{rule['from_level']}->{rule['to_level']}")
    for code, required in steps.items():
        connection.execute(
            modules.update().where(modules.c.code == code).values(required_for=required)
        )
