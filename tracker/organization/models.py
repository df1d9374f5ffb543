"""The one row that describes the organization (tracker/organization/services.py reads it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

ROW_ID = 1


class Organization(db.Model):
    """The People's Committee using the tracker: who issues the reports and how they read.

    One row (id 1). Absent until the first run sets it up (``flask init-organization``,
    ``flask seed-demo``, the admin's settings page); until then ``current()`` answers from the
    default profile and the ORG_NAME / ORG_PLACE environment variables.
    """

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=ROW_ID)
    profile: Mapped[str] = mapped_column(sa.String(40), default="")
    level: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))  # "Tỉnh Vĩnh Long", "Phường 1"
    short_name: Mapped[str] = mapped_column(sa.String(200))  # "UBND tỉnh Vĩnh Long"
    header_parent: Mapped[str] = mapped_column(sa.String(200))  # "ỦY BAN NHÂN DÂN"
    header_name: Mapped[str] = mapped_column(sa.String(200))  # "TỈNH VĨNH LONG"
    place: Mapped[str] = mapped_column(sa.String(100))  # "Vĩnh Long, ngày ..."
    signer_capacity: Mapped[str] = mapped_column(sa.String(200))  # "TM. ỦY BAN NHÂN DÂN"
    signer_title: Mapped[str] = mapped_column(sa.String(200))  # "CHỦ TỊCH"
    signer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    number_series: Mapped[str] = mapped_column(sa.String(40))  # "BC-UBND"
    recipients: Mapped[list[Any]] = mapped_column(sa.JSON)
    fields: Mapped[list[Any]] = mapped_column(sa.JSON)  # [[code, label], ...] in report order
    officer_assignees: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    updated_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
