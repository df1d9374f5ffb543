"""`flask init-organization`: a first run without demo data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.core import uow
from tracker.core.errors import UserError
from tracker.organization.profiles import DEFAULT_PROFILE, PROFILES


@click.command("init-organization")
@click.option("--profile", "profile_key", default=DEFAULT_PROFILE, show_default=True,
              type=click.Choice(sorted(PROFILES)), help="Cấu hình mẫu.")
@click.option("--name", default=None,
              help='Tên đầy đủ, ví dụ "Tỉnh Vĩnh Long", "Phường 1", "Xã Tân Hòa".')
@click.option("--place", default=None, help='Địa danh ghi ở dòng ngày tháng, ví dụ "Vĩnh Long".')
@click.option("--signer", default=None, help="Họ tên người ký báo cáo (Chủ tịch).")
@click.option("--keep", is_flag=True,
              help="Giữ thông tin cơ quan đã lưu; chỉ thêm đơn vị và quy tắc còn thiếu.")
@with_appcontext
def init_organization_command(profile_key: str, name: str | None, place: str | None,
                              signer: str | None, keep: bool) -> None:
    """Set up the organization, its units and routing rules from a profile. Safe to repeat."""
    from tracker.organization.setup import apply_profile

    try:
        with uow.transaction():
            result = apply_profile(profile_key, name=name, place=place, signer_name=signer,
                                   replace_organization=not keep)
    except UserError as exc:
        raise click.ClickException(exc.message) from None
    org = result.organization
    click.echo(f"Đã thiết lập: {org.short_name} ({org.level_label}).")
    click.echo(f"  Tiêu đề báo cáo: {org.header_parent} / {org.header_name}")
    click.echo(f"  Dòng ngày tháng: {org.place}, ngày ... tháng ... năm ...")
    click.echo(f"  Người ký: {org.signer_capacity} / {org.signer_title} / "
               f"{org.signer_name or '(chưa nhập)'}")
    click.echo(f"  Lĩnh vực báo cáo: {len(org.fields)}; đơn vị thêm mới: {result.units}; "
               f"quy tắc phân công thêm mới: {result.rules}.")
    click.echo("Tiếp theo: tạo tài khoản quản trị (flask users create --role admin ...), rồi "
               "nhập đơn vị và người dùng từ tệp .xlsx ở Quản trị → Nhập từ Excel.")

