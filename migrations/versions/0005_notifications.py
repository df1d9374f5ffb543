"""notifications, calendar feed tokens, each user's choice of e-mail for events, an index on
assignment state for the inbox

Revision ID: 0005_notifications
Revises: 0003_period_kind
Create Date: 2026-11-26 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0005_notifications"
down_revision = "0003_period_kind"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event_mail", sa.String(length=20), server_default="each_event",
                      nullable=False)
        )

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_state", ["state"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("mail", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"],
                                name=op.f("fk_notification_actor_id_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"],
                                name=op.f("fk_notification_assignment_id_assignment"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["directive_id"], ["directive.id"],
                                name=op.f("fk_notification_directive_id_directive"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_notification_unit_id_unit")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_notification_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "event_key", name=op.f("uq_notification_user_id_event_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_assignment_id"), ["assignment_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_notification_created_at"), ["created_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_notification_directive_id"), ["directive_id"],
                              unique=False)
        batch_op.create_index("ix_notification_mail", ["mail", "user_id"], unique=False)
        batch_op.create_index("ix_notification_user_read", ["user_id", "read_at"], unique=False)

    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_feed_token_unit_id_unit")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_feed_token_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_token_token_hash")),
    )
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_token_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_token_user_id"))
    op.drop_table("feed_token")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_read")
        batch_op.drop_index("ix_notification_mail")
        batch_op.drop_index(batch_op.f("ix_notification_directive_id"))
        batch_op.drop_index(batch_op.f("ix_notification_created_at"))
        batch_op.drop_index(batch_op.f("ix_notification_assignment_id"))
    op.drop_table("notification")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_state")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; batch mode would recreate "user", which every
        # other table references (refused with foreign keys on)
        op.execute('ALTER TABLE "user" DROP COLUMN event_mail')
    else:
        op.drop_column("user", "event_mail")
