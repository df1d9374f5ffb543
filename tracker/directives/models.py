"""Directives (nhiệm vụ), their assignments to units, progress, evidence and extensions."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.constants import (
    ASSIGNMENT_ROLES,
    EXTENSION_STATUSES,
    LEAD,
    NOT_STARTED,
    PENDING,
    STATES,
    UPDATE_KINDS,
)
from tracker.core.periods import MONTH, PERIOD_KINDS, SPAN_MONTHS, PeriodKey
from tracker.extensions import db
from tracker.units.models import Unit


class PeriodWords:
    """What a period says of itself (label, title, key, days), from ``year``, ``month`` and
    ``kind``: shared by the stored Period and the plain rows pages read
    (queries.PeriodRow). Expects ``year``, ``month`` and ``kind`` attributes."""

    @property
    def ref(self) -> PeriodKey:
        return PeriodKey(self.year, self.month, self.kind or MONTH)

    @property
    def label(self) -> str:
        return self.ref.label

    @property
    def title(self) -> str:
        return self.ref.title

    @property
    def caption(self) -> str:
        return self.ref.caption

    @property
    def key(self) -> str:
        return self.ref.key

    @property
    def first_day(self) -> dt.date:
        return self.ref.first_day

    @property
    def last_day(self) -> dt.date:
        return self.ref.last_day


class Period(PeriodWords, db.Model):
    """A stored reporting period (kỳ báo cáo): a month, quarter, half-year or year.

    Its rules are those of the value ``PeriodKey``; ``month`` is the span's first month
    (October for "quý IV/2025"), ``kind`` its length.
    """

    __tablename__ = "period"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(10), default=MONTH, server_default=MONTH)

    __table_args__ = (
        sa.UniqueConstraint("year", "month", "kind"),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in PERIOD_KINDS)})", name="kind"),
    )

    @classmethod
    def newest_first(cls) -> list[sa.ColumnElement]:
        """ORDER BY for period lists: latest end first; a longer span before the months it holds
        (năm 2025, 6 tháng cuối năm 2025, quý IV/2025, 12/2025, 11/2025, ...)."""
        span = sa.case(SPAN_MONTHS, value=cls.kind, else_=1)
        return [(cls.year * 12 + cls.month + span).desc(), span.desc()]


class SourceDocument(db.Model):
    """The document that gave the tasks (văn bản giao nhiệm vụ), e.g. a monthly report."""

    __tablename__ = "source_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(60))
    issued_on: Mapped[dt.date | None]
    issuer: Mapped[str] = mapped_column(sa.String(200), default="")
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    original_text: Mapped[str] = mapped_column(sa.Text, default="")
    content_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    period_id: Mapped[int | None] = mapped_column(sa.ForeignKey("period.id"), index=True)
    created_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    period: Mapped[Period | None] = relationship()


class Directive(db.Model):
    __tablename__ = "directive"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_document.id"))
    # active_history: the old parent is known when one moves (open_key.py rewrites both keys)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id"), index=True,
                                                  active_history=True)
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id"))
    number: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(500))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # Lower-case, diacritics-free copy of number, title and text for accent-insensitive search.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    field: Mapped[str] = mapped_column(sa.String(40))
    deadline: Mapped[dt.date | None]
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")  # claim_version
    # What the open work of a top-level directive's tree allows (open_key.py writes them with
    # every change of that work; the list's open buckets read them): never set by hand.
    open_earliest: Mapped[dt.date | None]
    open_latest: Mapped[dt.date | None]
    open_undated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    done_last: Mapped[dt.date | None]

    period: Mapped[Period] = relationship()
    source: Mapped[SourceDocument | None] = relationship()
    parent: Mapped[Directive | None] = relationship(
        remote_side=[id], back_populates="children", foreign_keys=[parent_id],
        active_history=True,
    )
    children: Mapped[list[Directive]] = relationship(
        back_populates="parent", foreign_keys=[parent_id], order_by="Directive.position"
    )
    carried_from: Mapped[Directive | None] = relationship(
        remote_side=[id], foreign_keys=[carried_from_id]
    )
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="directive", order_by="Assignment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("source_id", "number"),
        sa.Index("ix_directive_period_position", "period_id", "position"),
        # A period's top-level directives in report order (first page, list, dashboard): without
        # it SQLite walks every top-level directive of ten years through ix_directive_parent_id.
        sa.Index("ix_directive_period_parent_position", "period_id", "parent_id", "position"),
        # A field's directives of every period with what the list's filter asks of them
        # (top-level or not): read from the index alone, not from 7,000 table rows.
        sa.Index("ix_directive_field_parent", "field", "parent_id", "id"),
        # the open buckets over ten years, from the open key (open_key.py, open_work.py)
        sa.Index("ix_directive_open_earliest", "open_earliest"),
        sa.Index("ix_directive_open_latest", "open_latest"),
        sa.Index("ix_directive_open_undated", "open_undated",
                 sqlite_where=sa.text("open_undated = 1"),
                 postgresql_where=sa.text("open_undated")),
        sa.Index("ix_directive_done_last", "done_last"),
        # the same cut narrowed to one field, each arm of its OR through one index on
        # PostgreSQL (migration 0018)
        sa.Index("ix_directive_field_open_earliest", "field", "open_earliest"),
        sa.Index("ix_directive_field_open_latest", "field", "open_latest"),
        # a unit's record: each assignment's directive for its period and withdrawal, read
        # from this narrow index rather than the table (migration 0015)
        sa.Index("ix_directive_id_period_withdrawn", "id", "period_id", "withdrawn_at"),
        # a period's directives with what its buckets read of them, from the index alone
        # (migration 0016)
        sa.Index("ix_directive_period_facts", "period_id", "id", "parent_id", "field",
                 "withdrawn_at", "deadline"),
    )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Assignment(db.Model):
    """A directive given to one unit, as lead (chủ trì) or support (phối hợp)."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directive.id"),
                                              active_history=True)  # see Directive.parent_id
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    # A named officer (công chức) of the unit who carries the task, where the organization
    # assigns to people (a commune); None: the unit as a whole.
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(10), default=LEAD)
    # The original deadline is kept for scoring; an approved extension goes beside it.
    deadline: Mapped[dt.date | None]
    deadline_basis: Mapped[str | None] = mapped_column(sa.String(60))
    extended_deadline: Mapped[dt.date | None]
    extension_approved_on: Mapped[dt.date | None]
    assigned_on: Mapped[dt.date | None]
    state: Mapped[str] = mapped_column(sa.String(30), default=NOT_STARTED)
    percent: Mapped[int] = mapped_column(default=0)
    reported_done_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    completed_on: Mapped[dt.date | None]
    # Timeliness frozen at completion, against the deadline in force and the original one.
    on_time: Mapped[bool | None]
    on_time_original: Mapped[bool | None]
    last_update_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    directive: Mapped[Directive] = relationship(back_populates="assignments",
                                                active_history=True)
    unit: Mapped[Unit] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="assignment", order_by="ProgressUpdate.id"
    )
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="assignment", order_by="ExtensionRequest.id"
    )

    # Copies of the directive's period and withdrawal, written by the database itself
    # (triggers of migration 0017) whenever an assignment is inserted or moved or its directive
    # changes period or is withdrawn: a unit's assignments are then counted per period from
    # its index alone, without looking up 1,300 directives. Not mapped, so the ORM never
    # writes them: SQL reads them as the table's columns (status_sql._unit_facts).
    __mapper_args__ = {"version_id_col": version,
                       "exclude_properties": ["period_id", "directive_withdrawn_at"]}
    __table_args__ = (
        sa.Column("period_id", sa.Integer),
        sa.Column("directive_withdrawn_at", sa.DateTime),
        sa.UniqueConstraint("directive_id", "unit_id"),
        sa.Index("ix_assignment_unit_state", "unit_id", "state"),
        # a unit's record of ten years counted per period from the index alone (0017)
        sa.Index("ix_assignment_unit_record", "unit_id", "period_id", "directive_withdrawn_at",
                 "role", "state", "completed_on", "on_time", "on_time_original", "deadline",
                 "extended_deadline", "extension_approved_on", "directive_id", "id"),
        # the same facts by directive: a period's or a directive's buckets (migration 0015)
        sa.Index("ix_assignment_directive_facts", "directive_id", "unit_id", "role", "state",
                 "completed_on", "on_time", "on_time_original", "deadline", "extended_deadline",
                 "extension_approved_on", "id"),
        sa.Index("ix_assignment_deadline", "deadline"),
        # open work across units (the inbox: completions to confirm, overdue lead work; the
        # reminders' open assignments)
        sa.Index("ix_assignment_state_completed", "state", "completed_on"),
    )

    @property
    def role_label(self) -> str:
        return ASSIGNMENT_ROLES.get(self.role, self.role)

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def assignee_label(self) -> str:
        """"Phòng Văn hóa - Xã hội" or, with a named officer, "... (Nguyễn Thị Lan)"."""
        if self.officer_id is None or self.officer is None:
            return self.unit.name
        return f"{self.unit.name} ({self.officer.full_name})"


class ProgressUpdate(db.Model):
    """A unit's report on an assignment (báo cáo tiến độ), or a leader's confirm/return note."""

    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="progress")
    percent: Mapped[int] = mapped_column(default=0)
    result: Mapped[str] = mapped_column(sa.Text, default="")
    difficulties: Mapped[str] = mapped_column(sa.Text, default="")
    proposals: Mapped[str] = mapped_column(sa.Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="update", order_by="Attachment.id"
    )

    @property
    def kind_label(self) -> str:
        return UPDATE_KINDS.get(self.kind, self.kind)


class Attachment(db.Model):
    """Evidence file, stored outside static/ under a random name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(sa.ForeignKey("progress_update.id"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime]

    update: Mapped[ProgressUpdate] = relationship(back_populates="attachments")


class ExtensionRequest(db.Model):
    """A unit's request for a later deadline (đề nghị gia hạn)."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_deadline: Mapped[dt.date]
    status: Mapped[str] = mapped_column(sa.String(20), default=PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)

    assignment: Mapped[Assignment] = relationship(back_populates="extension_requests")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return EXTENSION_STATUSES.get(self.status, self.status)
