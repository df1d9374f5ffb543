"""`flask refresh-open-keys`: every top-level directive's open key rewritten from its work."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.core import uow, versioning
from tracker.directives import open_key
from tracker.extensions import db


@click.command("refresh-open-keys")
@with_appcontext
def refresh_open_keys_command() -> None:
    """Rewrite every directive's open key from its work. The application keeps the keys in
    each write it makes; data changed outside it (SQL run by hand) may leave them wrong, and
    the lists read them to find the open directives (tracker/directives/open_key.py)."""
    with uow.transaction():
        connection = db.session.connection()
        before = open_key.stored(connection)
        open_key.refresh(connection)
        after = open_key.stored(connection)
        wrong = sum(1 for i, key in after.items() if before.get(i) != key)
        if wrong:  # pages cached with the wrong keys are dropped
            versioning.bump(connection)
    click.echo(f"Đã tính lại khóa việc còn mở của {len(after)} nhiệm vụ; "
               f"{wrong} nhiệm vụ có khóa sai đã được sửa.")
