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


# Every element a phone shows must fit its width: no sideways scrolling anywhere.
_WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -1 || box.right > width + 1) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (classes ? '.' + classes.split(/\\s+/).join('.') : '');
      wide.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
    }
  }
  return {width, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 15)};
}"""


def assert_fits_phone(page) -> None:
    """No element wider than the viewport, and the page does not scroll sideways."""
    page.wait_for_load_state("load")  # every stylesheet applied before measuring
    found = page.evaluate(_WIDER_THAN_VIEWPORT)
    assert found["scroll"] <= found["width"], f"{page.url} scrolls sideways: {found}"
    assert not found["wide"], f"{page.url}: wider than {found['width']} px: {found['wide']}"


def photo_jpeg(page) -> bytes:
    """A real JPEG photo, drawn by the browser itself (what a phone camera would hand over)."""
    import base64

    data_url = page.evaluate("""() => {
      const c = document.createElement('canvas'); c.width = 320; c.height = 240;
      const g = c.getContext('2d');
      g.fillStyle = '#2e7d32'; g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#ffffff'; g.font = '28px sans-serif'; g.fillText('Hiện trường', 40, 130);
      return c.toDataURL('image/jpeg', 0.85);
    }""")
    return base64.b64decode(data_url.split(",", 1)[1])
