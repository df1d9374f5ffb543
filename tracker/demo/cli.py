from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
from tracker.extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo data (Trà Vinh city, tasks of March 2023). Safe to run again."""
    try:
        counts = seed_demo()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    added = ", ".join(f"{name}: {n}" for name, n in counts.items())
    click.echo(f"Dữ liệu mẫu đã sẵn sàng (thêm mới: {added}).")
    click.echo("Tài khoản mẫu (mật khẩu chung: " + DEMO_PASSWORD + "):")
    for user in DEMO_USERS:
        click.echo(f"  {user.username:<12} {user.title}")
