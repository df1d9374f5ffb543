"""Configuration classes, read from the environment (12-factor); no secrets in the code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_db_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    """Production-like defaults: embedded SQLite under instance/, PostgreSQL via DATABASE_URL."""

    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = normalize_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracker.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL planner costs for SSD storage, per connection (tracker/__init__.py)
    PG_SESSION_OPTIONS = os.environ.get("PG_SESSION_OPTIONS", "-c random_page_cost=1.1")
    TIMEZONE = "Asia/Ho_Chi_Minh"
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    ORG_NAME = os.environ.get("ORG_NAME", "THÀNH PHỐ TRÀ VINH")
    ORG_PLACE = os.environ.get("ORG_PLACE", "Trà Vinh")

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_ME_ENABLED = _env_bool("REMEMBER_ME_ENABLED")
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "480"))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token
    # Proxies allowed to say who the client is (X-Forwarded-For/Proto/Host): empty for none, a
    # hop count ("1" behind one nginx), or addresses/networks ("127.0.0.1"); tracker/core/proxies.py
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")

    # Password hashing (argon2id); tests lower the cost
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Uploads
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024
    UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", INSTANCE_DIR / "uploads"))

    # Mail: with no SMTP_HOST, messages are written as .eml files under OUTBOX_DIR
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS")
    SMTP_SSL = _env_bool("SMTP_SSL")
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "20"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "Nhắc việc UBND <nhacviec@travinh.example.vn>")
    OUTBOX_DIR = Path(os.environ.get("OUTBOX_DIR", INSTANCE_DIR / "outbox"))
    REMINDER_TIME = os.environ.get("REMINDER_TIME", "07:30")
    # A message left "sending" this long (its sender died) is sent again, same Message-ID
    OUTBOX_STALE_CLAIM_MINUTES = float(os.environ.get("OUTBOX_STALE_CLAIM_MINUTES", "5"))

    # Rendered read pages kept per worker process (tracker/core/pagecache.py); 0 turns it off
    PAGE_CACHE_MB = float(os.environ.get("PAGE_CACHE_MB", "16"))

    # A frozen "today" (YYYY-MM-DD) for demos and tests; empty means the real clock
    TRACKER_TODAY = os.environ.get("TRACKER_TODAY", "")

    def __init__(self) -> None:
        self.SECRET_KEY = _secret_key()


class TestConfig(Config):
    """Fast hashing, CSRF off (one test turns it back on), a database chosen by the fixture."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    SMTP_HOST = ""

    def __init__(self) -> None:
        self.SECRET_KEY = secrets.token_hex(16)
