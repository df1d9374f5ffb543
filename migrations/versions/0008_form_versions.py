"""versions on the rows people edit through forms

Revision ID: 0008_form_versions
Revises: 0006_organization
Create Date: 2026-11-30 17:00:00

A form sends the version it showed; saving compares and increments it in one UPDATE
(tracker.core.errors.claim_version), so of two people who saved forms loaded from the same state
one saves and the other gets a 409 instead of silently overwriting. Users get their own counter
(edit_version) so that signing in does not make an admin's form stale.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_form_versions"
down_revision = "0006_organization"
branch_labels = None
depends_on = None

COUNTERS = (("directive", "version"), ("routing_rule", "version"), ("setting", "version"),
            ("user", "edit_version"))


def upgrade():
    # Added in place (no table rebuild): other rows point at directive and user.
    for table, column in COUNTERS:
        op.add_column(table, sa.Column(column, sa.Integer(), server_default="1", nullable=False))


def downgrade():
    for table, column in COUNTERS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column(column)
