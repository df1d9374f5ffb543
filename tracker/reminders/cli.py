"""`flask reminders send|deliver` and `flask scheduler` (the scheduler module loads lazily, so
create_app() never imports APScheduler)."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup, with_appcontext

from tracker.core import clock

reminders_cli = AppGroup("reminders", help="Nhắc việc qua e-mail.")


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("ngày phải có dạng YYYY-MM-DD") from exc


@reminders_cli.command("send")
@click.option("--today", "today", callback=_parse_day, help="Chạy như thể hôm nay là YYYY-MM-DD.")
@click.option("--dry-run", is_flag=True, help="Chỉ in ai sẽ nhận gì, không ghi và không gửi.")
def send_command(today: dt.date | None, dry_run: bool) -> None:
    """Queue everything due as of the day, then deliver the outbox."""
    from flask import current_app

    from tracker.reminders.jobs import run_day

    if today is not None:
        # "As if today were" that day: the one clock says so for the whole command, so every
        # count in the mails reads the rows as they are, as on that day (not rebuilt from the
        # history as a past day seen from today, which also took six times longer).
        current_app.config["TRACKER_TODAY"] = today
    as_of = today or clock.today()
    plans, delivery = run_day(as_of, dry_run=dry_run)
    messages = [m for plan in plans for m in plan.messages]
    due = sum(len(plan.due) for plan in plans)
    if not plans:
        click.echo(f"{as_of:%d/%m/%Y} không phải ngày làm việc: không gửi nhắc việc.")
    prefix = "[Chạy thử] " if dry_run else ""
    for message in messages:
        click.echo(f"{prefix}{message.recipient.address}: {message.subject}")
    if plans:
        click.echo(f"{prefix}Ngày {as_of:%d/%m/%Y}: {due} nhắc việc, {len(messages)} e-mail.")
    if delivery is not None:
        click.echo(f"Hộp thư đi: {delivery}.")


@reminders_cli.command("deliver")
def deliver_command() -> None:
    """Deliver the queued outbox messages whose time has come (retries included)."""
    from tracker.reminders.mail import deliver_outbox

    click.echo(f"Hộp thư đi: {deliver_outbox()}.")


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process (one per installation): reminders, digest, cut-off, retries."""
    from flask import current_app

    from tracker.reminders.scheduler import run_scheduler

    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
