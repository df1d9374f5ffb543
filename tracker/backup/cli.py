"""`flask backup DIR` and `flask restore DIR`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.backup import services


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Back up the database and the attachments into DIRECTORY (new or empty)."""
    try:
        manifest = services.create_backup(directory)
    except services.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(
        f"Đã sao lưu {rows} dòng dữ liệu ({len(manifest['tables'])} bảng) và "
        f"{len(manifest['files']) - 1} tệp đính kèm vào {directory}."
    )


@click.command("restore")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--allow-unsigned", is_flag=True,
    help="Accept a manifest without a signature (a backup made before signing, or when the "
    "SECRET_KEY that signed it is lost); files are still checked against it.",
)
@with_appcontext
def restore_command(directory: Path, yes: bool, allow_unsigned: bool) -> None:
    """Replace the database and the attachments with the backup in DIRECTORY.

    Reads DIRECTORY only (it may be read-only); checks everything before replacing anything."""
    try:
        manifest = services.verify_backup(directory, allow_unsigned=allow_unsigned)
    except services.BackupError as exc:
        raise click.ClickException(f"Không khôi phục: {exc}") from exc
    if not yes:
        click.confirm(
            f"Toàn bộ dữ liệu hiện tại sẽ được thay bằng bản sao lưu lúc "
            f"{manifest['created_at']}. Tiếp tục?",
            abort=True,
        )
    try:
        services.restore_backup(directory, allow_unsigned=allow_unsigned)
    except services.BackupError as exc:
        raise click.ClickException(f"Khôi phục thất bại: {exc}") from exc
    click.echo(
        f"Đã khôi phục {sum(manifest['tables'].values())} dòng dữ liệu và "
        f"{len(manifest['files']) - 1} tệp đính kèm từ {directory}."
    )
