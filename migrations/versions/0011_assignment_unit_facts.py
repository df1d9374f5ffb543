"""a covering index for a unit's record

Revision ID: 0011_assignment_unit_facts
Revises: 0010_directive_text_index
Create Date: 2026-12-01 08:40:00

A unit's page counts its assignments of ten years per period and bucket (a ward: 1,300 rows
scattered over the assignment table). Through ix_assignment_unit_state each row was then read
from the table for the facts its bucket needs; this index holds those facts (the columns
status_sql.assignment_facts reads), so the count reads the index alone: 4.4 -> 2.8 ms on the
province dataset, SQLite.
"""
from alembic import op

revision = "0011_assignment_unit_facts"
down_revision = "0010_directive_text_index"
branch_labels = None
depends_on = None

COLUMNS = ["unit_id", "directive_id", "role", "state", "completed_on", "on_time",
           "on_time_original", "deadline", "extended_deadline", "extension_approved_on", "id"]


def upgrade():
    op.create_index("ix_assignment_unit_facts", "assignment", COLUMNS)


def downgrade():
    op.drop_index("ix_assignment_unit_facts", table_name="assignment")
