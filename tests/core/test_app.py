"""App factory, configuration, health check, security headers, first page."""

from __future__ import annotations

import threading

import pytest

import config
from tracker import create_app


def test_factory_uses_given_config(app):
    assert app.testing
    assert app.config["WTF_CSRF_ENABLED"] is False
    assert app.config["BOOTSTRAP_SERVE_LOCAL"] is True


def test_default_config_reads_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("BASE_URL", "https://tracker.example.vn")
    import importlib

    reloaded = importlib.reload(config)
    try:
        cfg = reloaded.Config()
        assert cfg.SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://")
        assert cfg.SECRET_KEY == "from-the-environment"
        assert cfg.SESSION_COOKIE_SECURE is True
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_secret_key_generated_once_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first = config._secret_key()
    second = config._secret_key()
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import importlib

    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/tracker.db")
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    finally:
        importlib.reload(config)


def test_create_app_starts_no_thread(database_url, tmp_path):
    before = threading.active_count()
    create_app(config.TestConfig(), SQLALCHEMY_DATABASE_URI=database_url)
    assert threading.active_count() == before


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_security_headers(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_sqlite_pragmas(app):
    from tracker.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_assets_served_locally(client, demo, auth):
    auth.login("chutich")
    page = client.get("/").get_data(as_text=True)
    assert "cdn" not in page.lower()
    assert "/bootstrap/static/" in page or "/static/" in page
    for src in ("/static/css/app.css", "/static/js/app.js"):
        response = client.get(src)
        assert response.status_code == 200
        response.close()


def test_unknown_url_gives_vietnamese_404(client, demo, auth):
    auth.login("chutich")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)
