"""what a top-level directive's open work allows, stored on its row

Revision ID: 0014_directive_open_key
Revises: 0013_assignment_state_completed
Create Date: 2026-12-01 17:30:00

The list of every period in an open bucket (overdue, in progress, ...) kept the directives with
open work by reading the open assignments of ten years in each request, and a list narrowed by
field or text computed the buckets of every directive it matched. Each top-level directive now
carries what its open work allows (tracker/directives/open_key.py keeps it with every change):
the earliest and latest deadline of its open items, whether one has none, and the latest
completion day of its done ones. Existing rows are filled here by the same rule, written out
as it stands at this revision (a migration does not import the application).
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_directive_open_key"
down_revision = "0013_assignment_state_completed"
branch_labels = None
depends_on = None

COLUMNS = ("open_earliest", "open_latest", "open_undated", "done_last")


def upgrade():
    # Added in place, never in batch mode: rebuilding the table on SQLite would drop the text
    # index's triggers on it (migration 0010).
    op.add_column("directive", sa.Column("open_earliest", sa.Date(), nullable=True))
    op.add_column("directive", sa.Column("open_latest", sa.Date(), nullable=True))
    op.add_column("directive", sa.Column("open_undated", sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column("directive", sa.Column("done_last", sa.Date(), nullable=True))
    for column in COLUMNS:
        # the few directives with work without a deadline: a partial index (as a boolean's,
        # its statistics say half of all rows, and SQLite would read the table instead)
        where = {"sqlite_where": sa.text("open_undated = 1"),
                 "postgresql_where": sa.text("open_undated")} if column == "open_undated" else {}
        op.create_index("ix_directive_" + column, "directive", [column], **where)
    fill(op.get_bind())


def downgrade():
    for column in COLUMNS:
        op.drop_index("ix_directive_" + column, table_name="directive")
    for column in COLUMNS:  # in place as well (SQLite 3.35 and later, PostgreSQL)
        op.execute(f"ALTER TABLE directive DROP COLUMN {column}")


def fill(bind) -> None:
    """open_key.refresh over every directive, as the rule stands at this revision."""
    directive = sa.table("directive", sa.column("id"), sa.column("parent_id"),
                         sa.column("deadline", sa.Date), *(sa.column(c) for c in COLUMNS))
    c = directive.alias("c")
    assignment = sa.table("assignment", sa.column("directive_id"), sa.column("role"),
                          sa.column("deadline", sa.Date), sa.column("extended_deadline", sa.Date),
                          sa.column("state"), sa.column("completed_on", sa.Date))
    a, lead, none = assignment.alias("a"), assignment.alias("l"), assignment.alias("n")
    key = sa.func.coalesce(c.c.parent_id, c.c.id)
    whose = sa.or_(a.c.role == "lead", ~sa.exists().where(lead.c.directive_id == c.c.id,
                                                          lead.c.role == "lead"))
    assigned = (sa.select(key.label("key"), a.c.deadline.label("due"),
                          a.c.extended_deadline.label("ext"), a.c.state.label("state"),
                          a.c.completed_on.label("done_on"))
                .select_from(c).join(a, a.c.directive_id == c.c.id).where(whose))
    empty = (sa.select(key, c.c.deadline, sa.cast(sa.null(), sa.Date),
                       sa.literal("not_started"), sa.cast(sa.null(), sa.Date))
             .where(~sa.exists().where(none.c.directive_id == c.c.id)))
    items = sa.union_all(assigned, empty).subquery("items")
    due, ext, state = items.c.due, items.c.ext, items.c.state
    is_open = sa.or_(state.not_in(("done", "withdrawn")),
                     sa.and_(state == "done", items.c.done_on.is_(None)))
    earliest = sa.case((due.is_(None), ext), (ext.is_(None), due), (ext < due, ext), else_=due)
    latest = sa.case((due.is_(None), ext), (ext.is_(None), due), (ext > due, ext), else_=due)
    sums = (
        sa.select(items.c.key,
                  sa.func.min(sa.case((is_open, earliest))).label("earliest"),
                  sa.func.max(sa.case((is_open, latest))).label("latest"),
                  sa.func.max(sa.case((sa.and_(is_open, due.is_(None)), 1), else_=0))
                  .label("undated"),
                  sa.func.max(sa.case((state == "done", items.c.done_on))).label("done_last"))
        .group_by(items.c.key)
        .subquery("sums")
    )
    bind.execute(
        sa.update(directive).where(directive.c.id == sums.c.key)
        .values(open_earliest=sums.c.earliest, open_latest=sums.c.latest,
                open_undated=sums.c.undated == 1, done_last=sums.c.done_last)
    )
