"""a field's directives by their open key

Revision ID: 0018_directive_field_open
Revises: 0017_assignment_directive_copy
Create Date: 2026-12-02 03:05:00

A list over every period narrowed to one field and an open bucket ("Lĩnh vực Kinh tế, quá hạn")
first keeps the directives whose open key allows the bucket (open_work.py). PostgreSQL read
ix_directive_open_earliest (1,300 open directives) and ix_directive_field_parent (8,300 of the
field's) and ANDed the two bitmaps: 2.1 ms, 0.76 of it in the field's index. With the field
first, each arm of the open cut's OR reads the field's open directives alone (218): 0.43 ms.
SQLite's cut probes ids from the open key's own indexes and is unchanged.
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_directive_field_open"
down_revision = "0017_assignment_directive_copy"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_directive_field_open_earliest": ["field", "open_earliest"],
    "ix_directive_field_open_latest": ["field", "open_latest"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "directive", columns)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text(
        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    )):
        # statistics for the new indexes beside the old ones' (see 0015)
        for name in INDEXES:
            op.execute(f"ANALYZE {name}")


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="directive")
