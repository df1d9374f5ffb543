"""a token per period, unit and directive for the page cache

Revision ID: 0009_scope_versions
Revises: 0008_form_versions
Create Date: 2026-11-30 19:40:00

A write to one unit's task used to make every cached page stale for everyone; pages are now
keyed by the tokens of the parts of the data they show (tracker/core/versioning.py).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_scope_versions"
down_revision = "0008_form_versions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scope_version",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_scope_version")),
    )


def downgrade():
    op.drop_table("scope_version")
