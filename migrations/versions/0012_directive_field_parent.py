"""a field's directives read from the index alone

Revision ID: 0012_directive_field_parent
Revises: 0011_assignment_unit_facts
Create Date: 2026-12-01 11:10:00

The list filtered by field over ten years keeps the field's top-level directives (7,000 at
province scale) that the text filter matched. Through ix_directive_field each of them was read
from the table for its parent_id (3,300 pages on PostgreSQL, 3.9 ms); with parent_id and id in
the index the scan reads the index alone (0.7 ms). The new index starts with field, so it
replaces ix_directive_field.
"""
from alembic import op

revision = "0012_directive_field_parent"
down_revision = "0011_assignment_unit_facts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_directive_field_parent", "directive", ["field", "parent_id", "id"])
    op.drop_index("ix_directive_field", table_name="directive")


def downgrade():
    op.create_index("ix_directive_field", "directive", ["field"])
    op.drop_index("ix_directive_field_parent", table_name="directive")
