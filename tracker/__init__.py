"""The directive tracker (theo dõi nhiệm vụ): application factory.

create_app() only wires things together; it starts no scheduler and no thread, so any number of
gunicorn workers can serve it. The scheduler is its own process (`flask scheduler`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from tracker.core import links, navbar, pagecache, proxies, uow, versioning  # noqa: F401 - versioning listens
from tracker.extensions import bootstrap, csrf, db, login_manager, migrate


def create_app(config: object | None = None, **overrides: Any) -> Flask:
    import config as config_module

    app = Flask(
        __name__,
        static_folder="../static",
        template_folder="../templates",
        instance_path=str(config_module.INSTANCE_DIR),
    )
    app.config.from_object(config if config is not None else config_module.Config())
    app.config.update(overrides)
    register_logging(app)
    proxies.init_app(app)  # the real client address behind nginx (TRUSTED_PROXIES)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_cli(app)
    register_events()
    uow.init_app(app)  # last: its after_request handler runs first
    return app


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401 - every table known to Alembic and the app
    from tracker.directives import text_index

    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True  # no CDN: city networks are often closed
    _postgresql_session_settings(app)
    db.init_app(app)
    # the text index of the directive list is no model: its migration (0010) owns it
    migrate.init_app(
        app, db, directory=str(_migrations_dir()), include_name=text_index.include_name
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    pagecache.init_app(app)
    navbar.init_app(app)
    links.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    from tracker.auth.models import User
    from tracker.core.models import DataVersion
    from tracker.organization import services as organization
    from tracker.organization.models import ROW_ID, Organization
    from tracker.work import notices

    # Built once: every request runs it, and building it cost more than running it.
    user_statement = (
        db.select(User, DataVersion.token, Organization, notices.unread_count_column())
        .select_from(User)
        .outerjoin(DataVersion, DataVersion.id == versioning.ROW_ID)
        .outerjoin(Organization, Organization.id == ROW_ID)
        .where(User.session_token == db.bindparam("token"))
    )

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # The data version rides along with the one query every page request makes anyway:
        # the page cache needs it read before any of the page's data (tracker/core/pagecache.py).
        # So do the organization, which every page's header and the report wording read, and
        # the bell's unread count (tracker/work/notices.py).
        row = db.session.execute(user_statement, {"token": token}).first()
        if row is None:
            return None
        versioning.remember(row[1])
        organization.remember(row[2])
        notices.remember_unread(row[3])
        return row[0]


def _postgresql_session_settings(app: Flask) -> None:
    """PostgreSQL's default planner costs assume spinning disks (random_page_cost = 4): on the
    SSDs servers have today it hash-joins a scan of every directive where a few index lookups
    answer (a unit's ten-year record: 15 ms against 3.6 ms). ``PG_SESSION_OPTIONS`` sets them
    per connection (libpq ``options``); empty leaves the server's own settings."""
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    settings = app.config.get("PG_SESSION_OPTIONS", "")
    if not uri.startswith("postgresql") or not settings:
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("options", settings)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


SQLITE_CACHE_KB = int(float(os.environ.get("SQLITE_CACHE_MB", "20")) * 1024)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys, a busy timeout and a page cache of ``SQLITE_CACHE_MB`` (20 MB) on
    every SQLite connection: with the default 2 MB a province's pages re-read the same index
    and table pages from the file on every request (the list's text and bucket queries took
    twice as long, measured in README "Performance")."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
        cursor.close()


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` capped at the largest 32-bit id: a bigger one cannot exist (404), and
    PostgreSQL would reject it as out of range (a 500) if it reached a query."""

    def __init__(
        self,
        map: Any,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = 2**31 - 1,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register_url_converters(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter


def register_blueprints(app: Flask) -> None:
    from tracker.admin.views import bp as admin_bp
    from tracker.api.views import bp as api_bp
    from tracker.auth import permissions
    from tracker.auth.views import bp as auth_bp
    from tracker.calendar.views import bp as calendar_bp
    from tracker.core import web
    from tracker.directives.manage_views import bp as manage_bp
    from tracker.directives.unit_views import bp as units_bp
    from tracker.directives.views import bp as directives_bp
    from tracker.intake.rule_views import bp as routing_bp
    from tracker.intake.views import bp as intake_bp
    from tracker.organization import views as organization_views
    from tracker.reminders.views import bp as reminders_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.work.feed_views import bp as feeds_bp
    from tracker.work.inbox_views import bp as inbox_bp
    from tracker.work.views import bp as work_bp

    web.register(
        app,
        public_endpoints=permissions.PUBLIC_ENDPOINTS,
        endpoint_allowed=permissions.endpoint_allowed,
    )
    app.add_template_global(permissions.template_can, "can")
    app.context_processor(organization_views.template_context)
    pagecache.set_personal_key(app, organization_views.personal_page_key)
    for blueprint in (
        auth_bp, admin_bp, directives_bp, units_bp, api_bp, work_bp, manage_bp, intake_bp,
        routing_bp, calendar_bp, reminders_bp, reports_bp, organization_views.bp, inbox_bp,
        feeds_bp,
    ):
        app.register_blueprint(blueprint)


def register_events() -> None:
    """The work wing tells people about what the directive rules announce; the page cache
    learns which parts of the data a directive row shows on; each top-level directive's open
    key follows its work."""
    from tracker.directives import cache_scopes, open_key
    from tracker.work import notify

    notify.subscribe()
    cache_scopes.register()
    open_key.register()


def register_cli(app: Flask) -> None:
    from tracker.auth.cli import bp as users_cli
    from tracker.backup.cli import backup_command, restore_command
    from tracker.demo.cli import seed_demo_command
    from tracker.directives.cli import refresh_open_keys_command
    from tracker.intake.cli import import_report_command
    from tracker.organization.cli import init_organization_command
    from tracker.reminders.cli import reminders_cli, scheduler_command
    from tracker.reports.cli import bp as report_cli

    app.register_blueprint(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(import_report_command)
    app.cli.add_command(init_organization_command)
    app.cli.add_command(refresh_open_keys_command)
    app.register_blueprint(report_cli)
