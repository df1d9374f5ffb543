"""The unit catalogue as the other packages read it."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.units.catalogue import UNIT_KINDS
from tracker.units.models import Unit


def units_by_code() -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(sa.select(Unit))}


def active_units() -> list[Unit]:
    """Units that can be given new work, in the catalogue's order."""
    return list(
        db.session.scalars(sa.select(Unit).where(Unit.active).order_by(Unit.position, Unit.name))
    )


def all_units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.id)))


def grouped_by_kind(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    """Units under their kind's label, in the order given (for selects and lists)."""
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.kind, []).append(unit)
    return [(UNIT_KINDS.get(kind, kind), members) for kind, members in groups.items()]
