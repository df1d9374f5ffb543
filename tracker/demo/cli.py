from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.core import uow
from tracker.core.errors import UserError
from tracker.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from tracker.demo.profiles import DEMOS
from tracker.demo.seed import seed_demo
from tracker.organization.profiles import DEFAULT_PROFILE, PROFILES


@click.command("seed-demo")
@click.option("--profile", default=DEFAULT_PROFILE, show_default=True,
              type=click.Choice(sorted(PROFILES)),
              help="city-2023: Trà Vinh city, tasks of March 2023; province-2025: a province "
                   "after 1/7/2025; commune-2025: a ward with officers as assignees.")
@with_appcontext
def seed_demo_command(profile: str) -> None:
    """Load the demo data of a profile (default: Trà Vinh city, March 2023). Safe to run again."""
    try:
        with uow.transaction():
            counts = seed_demo(profile)
    except UserError as exc:
        raise click.ClickException(exc.message) from None
    added = ", ".join(f"{name}: {n}" for name, n in counts.items())
    click.echo(f"Dữ liệu mẫu đã sẵn sàng (thêm mới: {added}).")
    click.echo("Tài khoản mẫu (mật khẩu chung: " + DEMO_PASSWORD + "):")
    if profile in DEMOS:
        demo = DEMOS[profile]
        for account in demo.accounts:
            click.echo(f"  {account.username:<15} {account.title}")
        click.echo(f"Xem mọi tình trạng: TRACKER_TODAY={demo.as_of.isoformat()} make run")
        return
    for user in DEMO_USERS:
        click.echo(f"  {user.username:<12} {user.title}")
