"""Small helpers the journeys share: database look-ups on the live app, a tiny valid PDF."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tracker.directives.models import Assignment, Directive, Period
from tracker.extensions import db
from tracker.units.models import Unit


def tiny_pdf(text: str = "Bien ban kiem tra") -> bytes:
    """A one-page PDF with a correct cross-reference table (readers and sniffers accept it)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref
    )
    return bytes(out)


def directive_of(app: Flask, year: int, month: int, number: str) -> Directive:
    """The directive with its assignments and units, detached, as the database has it now."""
    with app.app_context():
        directive = db.session.scalar(
            sa.select(Directive)
            .join(Period, Directive.period_id == Period.id)
            .where(Period.year == year, Period.month == month, Directive.number == number)
            .options(
                sa.orm.selectinload(Directive.assignments).joinedload(Assignment.unit)
            )
        )
        assert directive is not None, f"no directive {number} in {month:02d}/{year}"
        db.session.expunge_all()
        db.session.remove()
        return directive


def unit_id(app: Flask, code: str) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(Unit.id).where(Unit.code == code))
        db.session.remove()
        assert found is not None
        return found
