"""Login throttling: slow password guessing down without letting anyone lock the owner out.

Every password check at the login form is a LoginAttempt row (in the database, so every worker
sees the same numbers). Before checking a password the app looks at the recent failures (the
last WINDOW, and for an account only those after its last successful login) under three keys and
asks the client to wait when one of them says so; a wait grows with every further failure (a
doubling delay, never a CAPTCHA, never a fixed lock) up to a cap:

- one account from one client address (PAIR): 3 free failures, then 2 s, 4 s, 8 s, ... up to
  15 minutes. This is the account's brake, and it only ever slows the address that fails;
- one client address, any account (ADDRESS): 20 free failures, then 1 s, 2 s, ... up to 15
  minutes: one address trying many accounts;
- one account from any address (ACCOUNT): 10 free failures, then 1 s, 2 s, ... up to 30 s, and
  only for addresses that have themselves failed on that account: many addresses trying one
  account. An address with no failure on the account is never held back by it, so failures
  from elsewhere alone never keep the owner out: the right password from a clean address works
  at once.

The client address is the real one only when TRUSTED_PROXIES is set behind a proxy
(tracker/core/proxies.py). Timing uses the real clock (``clock.real_now()``), whatever
TRACKER_TODAY says. Refused attempts are not password checks and are not recorded, so a wait
ends on time. An admin sees the current keys on "Đăng nhập sai" (/admin/lockouts) or with
``flask users lockouts`` and clears them there or with ``flask users unlock``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.auth.models import LoginAttempt, User
from tracker.core import audit, clock
from tracker.extensions import db

WINDOW = dt.timedelta(hours=1)  # failures older than this are forgotten


@dataclass(frozen=True)
class Rule:
    free: int  # failures before any wait
    base: float  # seconds of the first wait
    cap: float  # the longest wait, in seconds

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last failure once ``failures`` have been counted."""
        if failures < self.free:
            return 0.0
        return min(self.base * 2 ** min(failures - self.free, 30), self.cap)


PAIR = Rule(free=3, base=2, cap=15 * 60)
ADDRESS = Rule(free=20, base=1, cap=15 * 60)
ACCOUNT = Rule(free=10, base=1, cap=30)

ACCOUNT_REASON = "account"
ADDRESS_REASON = "address"


def norm_username(username: str | None) -> str:
    return (username or "").strip().lower()[:80]


def norm_address(address: str | None) -> str:
    return (address or "-").strip()[:64] or "-"


def record(username: str, address: str, success: bool) -> None:
    """Remember one password check (the caller commits, whatever the outcome)."""
    db.session.add(
        LoginAttempt(
            username=norm_username(username),
            address=norm_address(address),
            at=clock.real_now(),
            success=success,
        )
    )


@dataclass(frozen=True)
class Wait:
    seconds: int
    reason: str  # ACCOUNT_REASON or ADDRESS_REASON

    @property
    def text(self) -> str:
        """The wait in Vietnamese: "45 giây", "3 phút"."""
        return wait_text(self.seconds)


def wait_text(seconds: float) -> str:
    seconds = max(1, int(-(-seconds // 1)))
    if seconds < 60:
        return f"{seconds} giây"
    return f"{-(-seconds // 60)} phút"


def _last_success(username: str) -> dt.datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(True)
        )
    )


def _failures(*conditions: sa.ColumnElement[bool]) -> tuple[int, dt.datetime | None]:
    count, last = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.success.is_(False), *conditions
        )
    ).one()
    return int(count or 0), last


def _remaining(rule: Rule, failures: int, last: dt.datetime | None, now: dt.datetime) -> float:
    if last is None:
        return 0.0
    until = last + dt.timedelta(seconds=rule.delay(failures))
    return max(0.0, (until - now).total_seconds())


def check(username: str, address: str) -> Wait | None:
    """How long this client must wait before its password is checked, or None: go ahead."""
    now = clock.real_now()
    horizon = now - WINDOW
    name, where = norm_username(username), norm_address(address)
    waits: list[Wait] = []

    count, last = _failures(LoginAttempt.address == where, LoginAttempt.at > horizon)
    if (left := _remaining(ADDRESS, count, last, now)) > 0:
        waits.append(Wait(int(-(-left // 1)), ADDRESS_REASON))

    success = _last_success(name)
    start = max(horizon, success) if success else horizon
    account = (LoginAttempt.username == name, LoginAttempt.at > start)
    pair_count, pair_last = _failures(*account, LoginAttempt.address == where)
    if pair_count:
        left = _remaining(PAIR, pair_count, pair_last, now)
        # Failures from elsewhere hold back only an address that failed on this account too.
        all_count, all_last = _failures(*account)
        left = max(left, _remaining(ACCOUNT, all_count, all_last, now))
        if left > 0:
            waits.append(Wait(int(-(-left // 1)), ACCOUNT_REASON))
    return max(waits, key=lambda w: w.seconds) if waits else None


# --- what an admin sees and clears -----------------------------------------------------------


@dataclass
class AccountThrottle:
    username: str
    failures: int
    last_failure: dt.datetime
    addresses: dict[str, int] = field(default_factory=dict)  # address -> failures
    wait_seconds: int = 0  # the longest wait any of its failing addresses has now
    user_id: int | None = None

    @property
    def wait_text(self) -> str:
        return wait_text(self.wait_seconds) if self.wait_seconds else ""


@dataclass
class AddressThrottle:
    address: str
    failures: int
    last_failure: dt.datetime
    usernames: int
    wait_seconds: int = 0

    @property
    def wait_text(self) -> str:
        return wait_text(self.wait_seconds) if self.wait_seconds else ""


def current(limit: int = 200) -> tuple[list[AccountThrottle], list[AddressThrottle]]:
    """Every account and address with failures still counted, most failures first."""
    now = clock.real_now()
    horizon = now - WINDOW
    successes = (
        sa.select(LoginAttempt.username, sa.func.max(LoginAttempt.at).label("at"))
        .where(LoginAttempt.success.is_(True))
        .group_by(LoginAttempt.username)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            LoginAttempt.username, LoginAttempt.address, sa.func.count(),
            sa.func.max(LoginAttempt.at),
        )
        .outerjoin(successes, successes.c.username == LoginAttempt.username)
        .where(
            LoginAttempt.success.is_(False),
            LoginAttempt.at > horizon,
            sa.or_(successes.c.at.is_(None), LoginAttempt.at > successes.c.at),
        )
        .group_by(LoginAttempt.username, LoginAttempt.address)
    ).all()
    accounts: dict[str, AccountThrottle] = {}
    for username, address, count, last in rows:
        item = accounts.setdefault(username, AccountThrottle(username, 0, last))
        item.failures += count
        item.last_failure = max(item.last_failure, last)
        item.addresses[address] = count
        pair = _remaining(PAIR, count, last, now)
        item.wait_seconds = max(item.wait_seconds, int(-(-pair // 1)))
    for item in accounts.values():
        overall = _remaining(ACCOUNT, item.failures, item.last_failure, now)
        item.wait_seconds = max(item.wait_seconds, int(-(-overall // 1)))
    if accounts:
        ids = dict(
            db.session.execute(
                sa.select(sa.func.lower(User.username), User.id).where(
                    sa.func.lower(User.username).in_(list(accounts))
                )
            ).all()
        )
        for item in accounts.values():
            item.user_id = ids.get(item.username)

    addresses = [
        AddressThrottle(address, count, last, names)
        for address, count, last, names in db.session.execute(
            sa.select(
                LoginAttempt.address, sa.func.count(), sa.func.max(LoginAttempt.at),
                sa.func.count(sa.distinct(LoginAttempt.username)),
            )
            .where(LoginAttempt.success.is_(False), LoginAttempt.at > horizon)
            .group_by(LoginAttempt.address)
        ).all()
    ]
    for item in addresses:
        left = _remaining(ADDRESS, item.failures, item.last_failure, now)
        item.wait_seconds = int(-(-left // 1))
    order = {"key": lambda t: (-t.wait_seconds, -t.failures)}
    return (
        sorted(accounts.values(), **order)[:limit],  # type: ignore[arg-type]
        sorted(addresses, **order)[:limit],  # type: ignore[arg-type]
    )


def clear_account(username: str) -> int:
    """Forget the failures counted against an account (from every address); audited.
    Returns how many were forgotten."""
    name = norm_username(username)
    rows = db.session.execute(
        sa.select(LoginAttempt.address, sa.func.count())
        .where(LoginAttempt.username == name, LoginAttempt.success.is_(False))
        .group_by(LoginAttempt.address)
    ).all()
    total = sum(count for _address, count in rows)
    if not total:
        return 0
    db.session.execute(
        sa.delete(LoginAttempt).where(
            LoginAttempt.username == name, LoginAttempt.success.is_(False)
        )
    )
    user_id = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == name))
    audit.record(
        "login_throttle", user_id, "unlock_account",
        {"username": name, "failures": total, "addresses": dict(rows)}, None,
    )
    return total


def clear_address(address: str) -> int:
    """Forget the failures counted against a client address (for every account); audited."""
    where = norm_address(address)
    rows = db.session.execute(
        sa.select(LoginAttempt.username, sa.func.count())
        .where(LoginAttempt.address == where, LoginAttempt.success.is_(False))
        .group_by(LoginAttempt.username)
    ).all()
    total = sum(count for _name, count in rows)
    if not total:
        return 0
    db.session.execute(
        sa.delete(LoginAttempt).where(
            LoginAttempt.address == where, LoginAttempt.success.is_(False)
        )
    )
    audit.record(
        "login_throttle", None, "unlock_address",
        {"address": where, "failures": total, "usernames": dict(rows)}, None,
    )
    return total
