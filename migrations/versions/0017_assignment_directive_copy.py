"""each assignment carries its directive's period and withdrawal, kept by triggers

Revision ID: 0017_assignment_directive_copy
Revises: 0016_directive_period_facts
Create Date: 2026-12-02 00:00:00

A unit's record (the unit page, "Việc của đơn vị") counts the unit's assignments per period as
of today. The facts came from 0011's index, but the period and the withdrawal are the
directive's, so each of a ward's 1,300 assignments of ten years looked its directive up: on
PostgreSQL 1.2 of the statement's 1.9 ms. Each assignment now carries a copy of both
(``period_id``, ``directive_withdrawn_at``), and ix_assignment_unit_record, ordered by unit and
period, holds everything the count reads, which replaces 0011's index by unit.

The copies are written by the database, as 0010's text index is: every writer, bulk loads and
hand-written SQL included, keeps them right without Python code. An assignment inserted or
moved to another directive takes its directive's values; a directive whose period or
withdrawal changes gives them to its assignments. The ORM does not map the two columns.

On PostgreSQL an assignment whose directive is not there (yet) keeps the values it was given:
pg_restore loads the tables' rows in its own order, with the copies already in them.
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_assignment_directive_copy"
down_revision = "0016_directive_period_facts"
branch_labels = None
depends_on = None

OLD_INDEX = ["unit_id", "directive_id", "role", "state", "completed_on", "on_time",
             "on_time_original", "deadline", "extended_deadline", "extension_approved_on", "id"]
NEW_INDEX = ["unit_id", "period_id", "directive_withdrawn_at", "role", "state", "completed_on",
             "on_time", "on_time_original", "deadline", "extended_deadline",
             "extension_approved_on", "directive_id", "id"]

_SQLITE_COPY = (
    "UPDATE assignment SET "
    "period_id = (SELECT period_id FROM directive WHERE directive.id = new.directive_id), "
    "directive_withdrawn_at = "
    "(SELECT withdrawn_at FROM directive WHERE directive.id = new.directive_id) "
    "WHERE id = new.id; "
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER assignment_copy_insert AFTER INSERT ON assignment BEGIN "
    + _SQLITE_COPY + "END",
    "CREATE TRIGGER assignment_copy_move AFTER UPDATE OF directive_id ON assignment BEGIN "
    + _SQLITE_COPY + "END",
    "CREATE TRIGGER directive_copy_to_assignments AFTER UPDATE OF period_id, withdrawn_at "
    "ON directive FOR EACH ROW "
    "WHEN old.period_id IS NOT new.period_id OR old.withdrawn_at IS NOT new.withdrawn_at BEGIN "
    "UPDATE assignment SET period_id = new.period_id, directive_withdrawn_at = new.withdrawn_at "
    "WHERE directive_id = new.id; "
    "END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS directive_copy_to_assignments",
    "DROP TRIGGER IF EXISTS assignment_copy_move",
    "DROP TRIGGER IF EXISTS assignment_copy_insert",
)

POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION assignment_copy_directive() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        source record;
    BEGIN
        SELECT period_id, withdrawn_at INTO source FROM directive WHERE id = NEW.directive_id;
        IF FOUND THEN
            NEW.period_id := source.period_id;
            NEW.directive_withdrawn_at := source.withdrawn_at;
        END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER assignment_copy_directive BEFORE INSERT OR UPDATE OF directive_id "
    "ON assignment FOR EACH ROW EXECUTE FUNCTION assignment_copy_directive()",
    """CREATE FUNCTION directive_copy_to_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE assignment SET period_id = NEW.period_id,
                              directive_withdrawn_at = NEW.withdrawn_at
        WHERE directive_id = NEW.id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER directive_copy_to_assignments AFTER UPDATE OF period_id, withdrawn_at "
    "ON directive FOR EACH ROW WHEN (OLD.period_id IS DISTINCT FROM NEW.period_id "
    "OR OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at) "
    "EXECUTE FUNCTION directive_copy_to_assignments()",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS directive_copy_to_assignments ON directive",
    "DROP TRIGGER IF EXISTS assignment_copy_directive ON assignment",
    "DROP FUNCTION IF EXISTS directive_copy_to_assignments()",
    "DROP FUNCTION IF EXISTS assignment_copy_directive()",
)


def upgrade():
    bind = op.get_bind()
    # in place, never in batch mode: rebuilding a table on SQLite would drop its triggers
    op.add_column("assignment", sa.Column("period_id", sa.Integer(), nullable=True))
    op.add_column("assignment", sa.Column("directive_withdrawn_at", sa.DateTime(),
                                          nullable=True))
    op.execute(
        "UPDATE assignment SET "
        "period_id = (SELECT period_id FROM directive WHERE directive.id = "
        "assignment.directive_id), "
        "directive_withdrawn_at = (SELECT withdrawn_at FROM directive WHERE directive.id = "
        "assignment.directive_id)"
    )
    for statement in (SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRESQL_TRIGGERS):
        op.execute(statement)
    op.drop_index("ix_assignment_unit_facts", table_name="assignment")
    op.create_index("ix_assignment_unit_record", "assignment", NEW_INDEX)
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text(
        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    )):
        # statistics for the new index beside the old ones' (see 0015)
        op.execute("ANALYZE ix_assignment_unit_record")


def downgrade():
    bind = op.get_bind()
    for statement in (SQLITE_DROP if bind.dialect.name == "sqlite" else POSTGRESQL_DROP):
        op.execute(statement)
    op.drop_index("ix_assignment_unit_record", table_name="assignment")
    op.create_index("ix_assignment_unit_facts", "assignment", OLD_INDEX)
    for column in ("directive_withdrawn_at", "period_id"):  # in place (SQLite 3.35 and later)
        op.execute(f"ALTER TABLE assignment DROP COLUMN {column}")
