"""periods of any kind: month, quarter, half-year, year

Revision ID: 0003_period_kind
Revises: 0002
Create Date: 2026-12-02 10:00:00

Every existing period is a month (the server default fills them in); the unique key becomes
(year, month, kind) so "10/2025" and "quý IV/2025" (both starting in October) can coexist.
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_period_kind"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="month", nullable=False)
        )
        batch_op.drop_constraint(batch_op.f("uq_period_year_month"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_period_year_month_kind"), ["year", "month", "kind"]
        )
        batch_op.create_check_constraint(
            "kind", "kind IN ('month', 'quarter', 'half', 'year')"
        )


def downgrade():
    # Only months fit the old table: a database holding other kinds cannot go back.
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM period WHERE kind <> 'month'")).scalar()
    if others:
        raise RuntimeError(
            f"{others} period(s) are quarters, half-years or years; downgrade would merge them "
            "into months. Remove them first."
        )
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_period_kind"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_period_year_month_kind"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_period_year_month"), ["year", "month"])
        batch_op.drop_column("kind")
