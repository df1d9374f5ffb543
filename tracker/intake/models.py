"""What the intake keeps: the editable routing table and uploaded reports awaiting review."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.constants import SUPPORT
from tracker.directives.models import SourceDocument
from tracker.extensions import db


class RoutingRule(db.Model):
    """Editable rule: keywords in a task's text propose units (lead/support) and a field."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    keywords: Mapped[str] = mapped_column(sa.Text)  # comma-separated
    # comma-separated; a province's "các xã, phường" rule names 120+ communes
    unit_codes: Mapped[str] = mapped_column(sa.Text, default="")
    role: Mapped[str] = mapped_column(sa.String(10), default=SUPPORT)
    field: Mapped[str | None] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")  # claim_version


class ImportDraft(db.Model):
    """An uploaded report waiting for review on the preview page.

    The text stays on the server between preview and confirm, so the confirm never trusts text
    sent back by the browser; ``source_id`` is set once it has been imported.
    """

    __tablename__ = "import_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(40), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    text: Mapped[str] = mapped_column(sa.Text)
    period_key: Mapped[str | None] = mapped_column(sa.String(7))  # "YYYY-MM" chosen on upload
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]
    source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_document.id"))

    created_by: Mapped[User | None] = relationship()
    source: Mapped[SourceDocument | None] = relationship()
