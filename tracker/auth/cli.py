from __future__ import annotations

import click
from flask import Blueprint

from tracker.auth import services
from tracker.constants import USER_ROLES
from tracker.core import uow
from tracker.core.errors import UserError

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
