"""open work found by state and completion day

Revision ID: 0013_assignment_state_completed
Revises: 0012_directive_field_parent
Create Date: 2026-12-01 11:30:00

The list of every period filtered by an open bucket (overdue, in progress, ...) first keeps
the directives with open work (tracker/directives/open_work.py): assignments in an open state,
and those marked done without a completion day or with one after the day judged. The second
needs the completion day beside the state; the new index starts with state, so it replaces
ix_assignment_state.
"""
from alembic import op

revision = "0013_assignment_state_completed"
down_revision = "0012_directive_field_parent"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_assignment_state_completed", "assignment", ["state", "completed_on"])
    op.drop_index("ix_assignment_state", table_name="assignment")


def downgrade():
    op.create_index("ix_assignment_state", "assignment", ["state"])
    op.drop_index("ix_assignment_state_completed", table_name="assignment")
