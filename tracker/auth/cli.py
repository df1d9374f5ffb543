from __future__ import annotations

import click
from flask import Blueprint

from tracker.auth import services, throttle
from tracker.constants import USER_ROLES
from tracker.core import uow
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_datetime

bp = Blueprint("users_cli", __name__, cli_group="users")


@bp.cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(list(USER_ROLES)))
@click.option("--unit", "unit_code", default=None, help="Unit code, required for officers.")
@click.option("--email", default=None)
@click.option("--full-name", default="")
@click.password_option(prompt="Mật khẩu", confirmation_prompt="Nhập lại mật khẩu")
def create(
    username: str, role: str, unit_code: str | None, email: str | None, full_name: str,
    password: str,
) -> None:
    """Create a user; the password comes from a prompt or stdin, never the command line."""
    try:
        with uow.transaction():
            user = services.create_user(
                username=username, full_name=full_name or username, password=password,
                role=role, email=email, unit_code=unit_code,
            )
    except UserError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Đã tạo người dùng {user.username} ({user.role_label}).")


@bp.cli.command("token")
@click.argument("username")
def token(username: str) -> None:
    """Issue a new API token for USERNAME (replacing the old one) and print it once."""
    user = services.find_by_username(username)
    if user is None:
        raise click.ClickException(f"Không có người dùng {username}.")
    if not user.active:
        raise click.ClickException(f"Tài khoản {username} đã bị khóa.")
    with uow.transaction():
        value = services.issue_api_token(user)
    click.echo(f"Mã truy cập API mới của {user.username} (chỉ hiển thị một lần):", err=True)
    click.echo(value)


@bp.cli.command("lockouts")
def lockouts() -> None:
    """List the accounts and client addresses whose failed logins are counted now."""
    accounts, addresses = throttle.current()
    if not accounts and not addresses:
        click.echo("Không có tài khoản hay địa chỉ nào đang bị đếm đăng nhập sai.")
        return
    click.echo("Tài khoản (số lần sai, số địa chỉ, lần sai gần nhất, phải chờ):")
    for item in accounts:
        click.echo(
            f"  {item.username}\t{item.failures}\t{len(item.addresses)}\t"
            f"{fmt_datetime(item.last_failure)}\t{item.wait_text or 'không'}"
        )
    click.echo("Địa chỉ (số lần sai, số tài khoản, lần sai gần nhất, phải chờ):")
    for entry in addresses:
        click.echo(
            f"  {entry.address}\t{entry.failures}\t{entry.usernames}\t"
            f"{fmt_datetime(entry.last_failure)}\t{entry.wait_text or 'không'}"
        )


@bp.cli.command("unlock")
@click.argument("username", required=False)
@click.option("--address", default=None, help="Gỡ hạn chế của một địa chỉ IP thay vì tài khoản.")
def unlock(username: str | None, address: str | None) -> None:
    """Forget the failed logins counted against USERNAME (or --address ADDRESS)."""
    if bool(username) == bool(address):
        raise click.UsageError("Cho biết đúng một trong hai: USERNAME hoặc --address ĐỊA_CHỈ.")
    with uow.transaction():
        if username:
            count, what = throttle.clear_account(username), f"tài khoản {username}"
        else:
            count, what = throttle.clear_address(address or ""), f"địa chỉ {address}"
    if count:
        click.echo(f"Đã gỡ khóa {what}: xóa {count} lần đăng nhập sai.")
    else:
        click.echo(f"{what.capitalize()} không có lần đăng nhập sai nào đang được đếm.")
