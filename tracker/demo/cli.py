from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.core import uow
from tracker.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from tracker.demo.seed import seed_demo


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo data (Trà Vinh city, tasks of March 2023). Safe to run again."""
    with uow.transaction():
        counts = seed_demo()
    added = ", ".join(f"{name}: {n}" for name, n in counts.items())
    click.echo(f"Dữ liệu mẫu đã sẵn sàng (thêm mới: {added}).")
    click.echo("Tài khoản mẫu (mật khẩu chung: " + DEMO_PASSWORD + "):")
    for user in DEMO_USERS:
        click.echo(f"  {user.username:<12} {user.title}")
