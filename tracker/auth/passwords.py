"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

MIN_LENGTH = 10
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "0123456789",
        "password123",
        "password1234",
        "matkhau123",
        "matkhau1234",
        "abc1234567",
        "qwertyuiop",
        "1qaz2wsx3edc",
        "iloveyou123",
        "admin12345",
        "administrator",
        "12345678900",
        "1111111111",
        "0000000000",
        "aaaaaaaaaa",
        "khongbiet123",
        "travinh123",
    }
)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problems(password: str, username: str = "") -> list[str]:
    """Vietnamese messages for every rule the password breaks (empty when it is fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.")
    lowered = password.lower()
    if username and username.lower() in lowered:
        problems.append("Mật khẩu không được chứa tên đăng nhập.")
    if lowered in COMMON_PASSWORDS:
        problems.append("Mật khẩu này quá phổ biến, hãy chọn mật khẩu khác.")
    return problems
