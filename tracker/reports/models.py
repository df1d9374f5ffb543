"""Monthly reports (báo cáo tháng): the editable draft, its sections and the files kept at issue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.directives.models import Period, SourceDocument
from tracker.extensions import db

DRAFT = "draft"
FINAL = "final"
REPORT_STATUSES = {DRAFT: "Dự thảo", FINAL: "Đã ban hành"}


class Report(db.Model):
    """One report per period, drafted from the data as of a day and edited section by section.

    ``sections`` holds the text the user sees (section key -> text); ``generated`` the text the
    last generation produced, so a save can tell which sections a person changed (``edited``).
    ``carry`` remembers which directives section II carried over, for finalising.
    """

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), unique=True)
    as_of: Mapped[dt.date]
    status: Mapped[str] = mapped_column(sa.String(10), default=DRAFT)
    sections: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    generated: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    edited: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    carry: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    finalised_at: Mapped[dt.datetime | None]
    finalised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The source document the finalised section II became (next period's directives).
    next_source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_document.id"))
    # The import review (intake.import_preview) holding the new tasks typed into section II.
    next_draft_token: Mapped[str | None] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    period: Mapped[Period] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])
    next_source: Mapped[SourceDocument | None] = relationship()
    files: Mapped[list[ReportFile]] = relationship(
        back_populates="report", order_by="ReportFile.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_final(self) -> bool:
        return self.status == FINAL

    @property
    def status_label(self) -> str:
        return REPORT_STATUSES.get(self.status, self.status)


class ReportFile(db.Model):
    """An exported file kept with a finalised report, exactly as it was issued."""

    __tablename__ = "report_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # docx, xlsx
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime]

    report: Mapped[Report] = relationship(back_populates="files")

    __table_args__ = (sa.UniqueConstraint("report_id", "kind"),)
