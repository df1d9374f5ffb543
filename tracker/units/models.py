"""Units as typed, dated data: kind, parent, validity dates, and the links that record merges,
renames and splits, so old directives keep their unit and new work only goes to units that exist.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.units.kinds import CLASS_LABELS, UNIT_TYPES, infer_type

MERGE = "merge"
RENAME = "rename"
SPLIT = "split"
SUCCESSION_KINDS: dict[str, str] = {
    MERGE: "Sáp nhập vào",
    RENAME: "Đổi tên thành",
    SPLIT: "Chia tách, một phần chuyển về",
}


class Dated:
    """The one rule of a unit's lifetime, for the model and its plain rows (queries.UnitRow)."""

    valid_from: dt.date | None
    ended_on: dt.date | None

    def exists_on(self, day: dt.date) -> bool:
        """The unit exists on ``day``: started (or no start recorded) and not yet ended."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.ended_on is None or day < self.ended_on
        )


class Unit(Dated, db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The coarse class the importer and the report read (leadership / department / ward /
    # district), always the class of ``unit_type`` (tracker/units/kinds.py).
    kind: Mapped[str] = mapped_column(sa.String(20))
    # The typed kind (sở/ngành, phòng, xã, phường, ...). Empty only for rows written outside the
    # app (the benchmark's bulk loader): ``type`` then reads it from the class and the name.
    unit_type: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # The unit exists from valid_from (inclusive) until ended_on (exclusive): a ward merged on
    # 1/7/2025 has ended_on 2025-07-01 and its successor valid_from 2025-07-01.
    valid_from: Mapped[dt.date | None]
    ended_on: Mapped[dt.date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def type(self) -> str:
        return self.unit_type or infer_type(self.kind, self.name)

    @property
    def type_label(self) -> str:
        return UNIT_TYPES.get(self.type, self.type)

    @property
    def kind_label(self) -> str:
        return CLASS_LABELS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitSuccession(db.Model):
    """"Replaced by": from ``effective_on`` the successor carries on the predecessor's work (a
    merge, a rename, or, for a split, one of several successors). The predecessor keeps its
    history."""

    __tablename__ = "unit_succession"

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    successor_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    effective_on: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(sa.String(10), default=MERGE)
    created_at: Mapped[dt.datetime | None]

    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id])

    __table_args__ = (sa.UniqueConstraint("predecessor_id", "successor_id"),)

    @property
    def kind_label(self) -> str:
        return SUCCESSION_KINDS.get(self.kind, self.kind)
