"""A synthetic province-scale dataset, written fast with bulk inserts.

At scale 1: 150 units, 2,000 users, 50,000 directives over 10 years (120 monthly periods),
200,000 assignments and 1,000,000 progress updates, plus one source document per period and
approved extension requests for a few assignments. Rows get explicit ids so foreign keys are
known without reading anything back; on SQLite they go in by executemany in large chunks, on
PostgreSQL by COPY (psycopg), after which the id sequences are moved past the data.

The demo units and accounts (chutich, vanphong, phuong9 ... with the demo password) are part
of the data, so the load generator logs in as real roles. Everything is reproducible: one
seeded random generator, and "today" is fixed at BENCH_TODAY.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.directives import open_key
from tracker.directives.fields import FIELDS
from tracker.directives.search import search_text

BENCH_TODAY = dt.date(2025, 12, 15)
FIRST_YEAR = 2016
MONTHS = 120  # January 2016 .. December 2025
CHUNK = 20_000

BASE_COUNTS = {
    "unit": 150,
    "user": 2_000,
    "directive": 50_000,
    "assignment": 200_000,
    "progress_update": 1_000_000,
}

LEADER_COUNT = 12
SECRETARIAT_COUNT = 10
VIEWER_COUNT = 20

_TASKS = [
    "Tiếp tục triển khai thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "Tăng cường công tác quản lý trật tự đô thị, lòng lề đường",
    "Đẩy nhanh tiến độ giải phóng mặt bằng các dự án trọng điểm",
    "Tổ chức các hoạt động mừng Đảng, mừng Xuân",
    "Tập trung thu ngân sách nhà nước, phấn đấu đạt và vượt dự toán",
    "Thực hiện tốt công tác tiếp công dân, giải quyết khiếu nại, tố cáo",
    "Đẩy mạnh cải cách thủ tục hành chính, chuyển đổi số",
    "Chuẩn bị các điều kiện tổ chức kỳ thi tuyển sinh vào lớp 10",
    "Tăng cường phòng, chống dịch bệnh trên cây trồng, vật nuôi",
    "Kiểm tra an toàn thực phẩm trong dịp lễ, Tết",
    "Rà soát, cập nhật danh sách hộ nghèo, hộ cận nghèo",
    "Triển khai kế hoạch tuyển quân và công tác quốc phòng địa phương",
    "Hoàn thành quyết toán các công trình xây dựng cơ bản",
    "Tuyên truyền phòng, chống cháy nổ trong mùa khô",
    "Chỉnh trang đô thị, phát triển cây xanh tại các tuyến đường",
    "Quản lý chặt chẽ đất đai, xử lý vi phạm trật tự xây dựng",
    "Đảm bảo an ninh chính trị, trật tự an toàn xã hội",
    "Phát triển hợp tác xã, hỗ trợ doanh nghiệp nhỏ và vừa",
    "Nâng cao chất lượng khám chữa bệnh tại trạm y tế phường, xã",
    "Thực hiện chính sách đối với người có công và bảo trợ xã hội",
]
_RESULTS = [
    "Đã ban hành kế hoạch và phân công cán bộ phụ trách.",
    "Đã tổ chức họp triển khai với các đơn vị liên quan.",
    "Đang tổng hợp số liệu, dự kiến hoàn thành đúng hạn.",
    "Đã kiểm tra thực tế tại địa bàn, lập biên bản.",
    "Đã hoàn thành và báo cáo kết quả về UBND thành phố.",
    "Đã tuyên truyền trên hệ thống loa truyền thanh phường.",
]
_DIFFICULTIES = ["", "", "", "Kinh phí thực hiện còn hạn chế.", "Thiếu nhân lực chuyên môn."]


def counts_for(scale: float) -> dict[str, int]:
    """Row counts at a scale (the demo units and accounts are always there)."""
    from tracker.demo.accounts import DEMO_USERS
    from tracker.units.catalogue import UNITS

    counts = {name: max(1, round(n * scale)) for name, n in BASE_COUNTS.items()}
    counts["unit"] = max(len(UNITS), counts["unit"])
    counts["user"] = max(len(DEMO_USERS) + 3, counts["user"])
    counts["directive"] = max(2, counts["directive"])
    # at least one assignment per directive, no more units per directive than there are units
    counts["assignment"] = min(
        max(counts["directive"], counts["assignment"]), counts["directive"] * 6
    )
    counts["progress_update"] = max(counts["assignment"], counts["progress_update"])
    return counts


def synthetic_roles(n: int) -> list[str]:
    """Roles of n synthetic accounts: a few leaders, secretariat and viewers, officers after."""
    leaders = min(LEADER_COUNT, max(1, n // 160))
    secretariat = min(SECRETARIAT_COUNT, max(1, n // 200))
    viewers = min(VIEWER_COUNT, max(1, n // 100))
    roles = ["leader"] * leaders + ["secretariat"] * secretariat + ["viewer"] * viewers
    return (roles + ["officer"] * n)[:n]


def _month(index: int) -> tuple[int, int]:
    return FIRST_YEAR + index // 12, index % 12 + 1


def _last_day(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal integers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours time on `day`, stored naive UTC like the app does (VN = UTC+7)."""
    return dt.datetime.combine(day, dt.time(1 + rng.randrange(9), rng.randrange(60)))


@dataclass
class Writer:
    """Buffered bulk writer: COPY on PostgreSQL, executemany chunks on SQLite."""

    connection: sa.Connection
    table: sa.Table
    columns: list[str]
    buffer: list[tuple[Any, ...]]
    written: int = 0
    parents: tuple[Writer, ...] = ()

    @classmethod
    def open(
        cls,
        connection: sa.Connection,
        table: sa.Table,
        columns: list[str],
        parents: tuple[Writer, ...] = (),
    ) -> Writer:
        """A writer for `columns`; `parents` are flushed first (foreign keys are immediate)."""
        missing = [
            c.name
            for c in table.columns
            if c.name not in columns
            and not c.nullable
            and c.server_default is None
            and not (c.default is not None and c.default.is_scalar)
            and not c.primary_key
        ]
        if missing:
            raise RuntimeError(f"bench generator does not fill {table.name}.{missing}")
        defaults = [
            c for c in table.columns
            if c.name not in columns and c.default is not None and c.default.is_scalar
        ]
        writer = cls(connection, table, columns + [c.name for c in defaults], [], 0, parents)
        writer._defaults = tuple(c.default.arg for c in defaults)  # type: ignore[attr-defined]
        writer._temporal = tuple(  # type: ignore[attr-defined]
            i for i, name in enumerate(writer.columns)
            if isinstance(table.columns[name].type, sa.Date | sa.DateTime)
        )
        return writer

    def add(self, row: tuple[Any, ...]) -> None:
        self.buffer.append(row + self._defaults)  # type: ignore[attr-defined]
        if len(self.buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for parent in self.parents:
            parent.flush()
        if not self.buffer:
            return
        if self.connection.dialect.name == "postgresql":
            raw = self.connection.connection.driver_connection
            cols = ", ".join(f'"{c}"' for c in self.columns)
            statement = f'COPY "{self.table.name}" ({cols}) FROM STDIN'
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in self.buffer:
                    copy.write_row(row)
        else:
            # SQLAlchemy's own SQLite storage format for dates and datetimes (not sqlite3's
            # deprecated default adapters), so rows compare like the ones the app writes
            rows = self.buffer
            if self._temporal:  # type: ignore[attr-defined]
                rows = [_sqlite_row(row, self._temporal) for row in rows]  # type: ignore[attr-defined]
            cols = ", ".join(f'"{c}"' for c in self.columns)
            marks = ", ".join("?" for _ in self.columns)
            raw = self.connection.connection.driver_connection
            raw.executemany(f'INSERT INTO "{self.table.name}" ({cols}) VALUES ({marks})', rows)
        self.written += len(self.buffer)
        self.buffer = []


def _sqlite_row(row: tuple[Any, ...], temporal: tuple[int, ...]) -> tuple[Any, ...]:
    values = list(row)
    for i in temporal:
        value = values[i]
        if isinstance(value, dt.datetime):
            values[i] = value.strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(value, dt.date):
            values[i] = value.isoformat()
    return tuple(values)


def _write(
    connection: sa.Connection, table: sa.Table, columns: list[str], rows: Iterable[tuple]
) -> int:
    writer = Writer.open(connection, table, columns)
    for row in rows:
        writer.add(row)
    writer.flush()
    return writer.written


def generate(engine: sa.Engine, scale: float, *, seed: int = 2023, log=print) -> dict[str, int]:
    """Fill an empty, migrated database. Returns the row counts written per table."""
    from tracker.auth.passwords import hash_password
    from tracker.demo.accounts import DEMO_PASSWORD, DEMO_USERS
    from tracker.extensions import db
    from tracker.models import (  # noqa: F401 - every table registered
        Assignment,
        Directive,
        ExtensionRequest,
        Period,
        ProgressUpdate,
        SourceDocument,
        Unit,
        User,
    )
    from tracker.units.catalogue import DEPARTMENT, UNITS, WARD

    rng = random.Random(seed)
    target = counts_for(scale)
    written: dict[str, int] = {}
    started = time.perf_counter()
    with engine.begin() as conn:
        # --- units: the real catalogue first, then synthetic offices and communes
        unit_rows = []
        for i, spec in enumerate(UNITS):
            unit_rows.append((i + 1, spec.code, spec.name, spec.kind, spec.email, True, i))
        for i in range(len(UNITS), target["unit"]):
            kind = WARD if i % 3 else DEPARTMENT
            name = f"Xã Tân Hòa {i}" if kind == WARD else f"Phòng chuyên môn số {i}"
            code = f"U{i:03d}"
            unit_rows.append((i + 1, code, name, kind, f"{code.lower()}@bench.example.vn", True, i))
        written["unit"] = _write(
            conn, Unit.__table__, ["id", "code", "name", "kind", "email", "active", "position"],
            unit_rows,
        )
        code_to_id = {r[1]: r[0] for r in unit_rows}
        worker_units = [r[0] for r in unit_rows if r[3] != "leadership"]

        # --- users: the demo accounts, then leaders, secretariat, viewers and officers
        pw_hash = hash_password(DEMO_PASSWORD)
        now = dt.datetime.combine(BENCH_TODAY, dt.time(1))
        user_rows = []
        for spec in DEMO_USERS:
            user_rows.append(
                (spec.username, spec.full_name, f"{spec.username}@travinh.example.vn", spec.role,
                 code_to_id.get(spec.unit_code or ""), spec.title)
            )
        first_synthetic = len(user_rows)
        roles = synthetic_roles(target["user"] - first_synthetic)
        for i in range(first_synthetic, target["user"]):
            role = roles[i - first_synthetic]
            unit_id = None if role == "viewer" else (
                code_to_id["LDUB"] if role == "leader" else
                code_to_id["VP"] if role == "secretariat" else rng.choice(worker_units)
            )
            user_rows.append(
                (f"cb{i:05d}", f"Cán bộ {i}", f"cb{i:05d}@bench.example.vn", role, unit_id,
                 "Chuyên viên")
            )
        written["user"] = _write(
            conn, User.__table__,
            ["id", "username", "full_name", "email", "password_hash", "role", "unit_id", "title",
             "active", "session_token", "notify_mode", "created_at", "password_changed_at"],
            (
                (i + 1, u, n, e, pw_hash, r, unit, t, True, secrets.token_urlsafe(32), "each_run",
                 now, now)
                for i, (u, n, e, r, unit, t) in enumerate(user_rows)
            ),
        )
        leader_ids = [i + 1 for i, row in enumerate(user_rows) if row[3] == "leader"]
        officers_by_unit: dict[int, list[int]] = {}
        for i, row in enumerate(user_rows):
            if row[3] == "officer" and row[4] is not None:
                officers_by_unit.setdefault(row[4], []).append(i + 1)
        secretariat_id = next(i + 1 for i, row in enumerate(user_rows) if row[3] == "secretariat")

        # --- periods and one source document (the monthly report) per period
        written["period"] = _write(
            conn, Period.__table__, ["id", "year", "month"],
            ((m + 1, *_month(m)) for m in range(MONTHS)),
        )
        written["source_document"] = _write(
            conn, SourceDocument.__table__,
            ["id", "number", "issued_on", "issuer", "title", "original_text", "content_hash",
             "period_id", "created_at", "created_by_id"],
            (
                (m + 1, f"{rng.randint(1, 99):02d}/BC-UBND", _last_day(*_month(m - 1))
                 if m else dt.date(FIRST_YEAR - 1, 12, 28), "UBND thành phố Trà Vinh",
                 f"Nhiệm vụ trọng tâm tháng {_month(m)[1]:02d}/{_month(m)[0]}", "",
                 f"bench-{m:04d}", m + 1, _at(dt.date(*_month(m), 1), rng), secretariat_id)
                for m in range(MONTHS)
            ),
        )
        log(f"  units, users, periods: {time.perf_counter() - started:.1f} s")

        # --- directives, assignments, progress updates, extension requests
        d_writer = Writer.open(
            conn, Directive.__table__,
            ["id", "period_id", "source_id", "parent_id", "number", "position", "title", "text",
             "search_text", "field", "deadline", "leader_id", "created_by_id", "created_at",
             "withdrawn_at", "withdrawn_reason"],
        )
        a_writer = Writer.open(
            conn, Assignment.__table__,
            ["id", "directive_id", "unit_id", "role", "deadline", "deadline_basis",
             "extended_deadline", "extension_approved_on", "assigned_on", "state", "percent",
             "reported_done_at", "completed_at", "completed_on", "on_time", "on_time_original",
             "last_update_at", "version"],
            parents=(d_writer,),
        )
        u_writer = Writer.open(
            conn, ProgressUpdate.__table__,
            ["id", "assignment_id", "author_id", "created_at", "kind", "percent", "result",
             "difficulties", "proposals"],
            parents=(a_writer,),
        )
        e_writer = Writer.open(
            conn, ExtensionRequest.__table__,
            ["id", "assignment_id", "requested_by_id", "requested_at", "reason",
             "proposed_deadline", "status", "decided_by_id", "decided_at", "decision_comment"],
            parents=(a_writer,),
        )
        per_month = _spread(target["directive"], MONTHS)
        per_directive = _spread(target["assignment"], target["directive"])
        rng.shuffle(per_directive)
        per_assignment = _spread(target["progress_update"], target["assignment"])
        rng.shuffle(per_assignment)
        field_codes = [code for code, _ in FIELDS]
        # read through the app's session: its transaction, left open, would keep every row
        # written here from counting as visible to all, and VACUUM below would then set no
        # page all-visible (PostgreSQL planned no index-only scan, unlike a live database)
        db.session.remove()
        directive_id = assignment_id = update_id = extension_id = carry = 0
        last_active: tuple[int, list[int | None]] | None = None
        for m in range(MONTHS):
            year, month = _month(m)
            first = dt.date(year, month, 1)
            period_end = _last_day(year, month)
            top_position = 0
            last_top: tuple[int, str, int] | None = None  # id, number, children so far
            for _ in range(per_month[m]):
                directive_id += 1
                task = rng.choice(_TASKS)
                is_child = last_top is not None and rng.random() < 0.15
                if is_child:
                    parent_id, parent_number, kids = last_top  # type: ignore[misc]
                    number = f"{parent_number}.{kids + 1}"
                    position = kids
                    last_top = (parent_id, parent_number, kids + 1)
                else:
                    parent_id = None
                    top_position += 1
                    number = str(top_position)
                    position = top_position
                    last_top = (directive_id, number, 0)
                title = f"{task} (tháng {month:02d}/{year})"
                text = f"{title}. Các đơn vị báo cáo kết quả về UBND thành phố."
                no_deadline = rng.random() < 0.05
                deadline = None if no_deadline else period_end - dt.timedelta(
                    days=rng.choice((0, 0, 0, 5, 10, 15))
                )
                withdrawn = rng.random() < 0.01
                created = _at(first, rng)
                d_writer.add((
                    directive_id, m + 1, m + 1, parent_id, number, position, title, text,
                    search_text(number, title, text), rng.choice(field_codes), deadline,
                    rng.choice(leader_ids), secretariat_id, created,
                    _at(first + dt.timedelta(days=10), rng) if withdrawn else None,
                    "Đã có văn bản chỉ đạo khác thay thế." if withdrawn else None,
                ))
                n_units = min(per_directive[directive_id - 1], len(worker_units))
                for k, unit_id in enumerate(rng.sample(worker_units, n_units)):
                    assignment_id += 1
                    role = "lead" if k == 0 else "support"
                    extended = deadline is not None and rng.random() < 0.03
                    extended_deadline = deadline + dt.timedelta(days=30) if extended else None
                    in_force = extended_deadline or deadline
                    age = (BENCH_TODAY - period_end).days
                    # older work is mostly finished; recent work is in every state
                    roll = rng.random()
                    if withdrawn:
                        state = "withdrawn"
                    elif age > 60:
                        # ~2% never finished: national reports show ~1% of due tasks overdue
                        state = "done" if roll < 0.98 else "in_progress"
                    elif age > 0:
                        state = ("done", "awaiting_confirmation", "in_progress")[
                            0 if roll < 0.6 else 1 if roll < 0.75 else 2
                        ]
                    else:
                        state = ("done", "awaiting_confirmation", "in_progress", "not_started")[
                            0 if roll < 0.2 else 1 if roll < 0.3 else 2 if roll < 0.75 else 3
                        ]
                    completed_on = reported = completed_at = None
                    on_time = on_time_original = None
                    if state == "done":
                        target_day = in_force or period_end
                        completed_on = min(
                            target_day + dt.timedelta(days=rng.randint(-20, 12)),
                            BENCH_TODAY - dt.timedelta(days=1),
                        )
                        completed_on = max(completed_on, first)
                        completed_at = _at(completed_on, rng)
                        reported = completed_at - dt.timedelta(days=1)
                        on_time = in_force is None or completed_on <= in_force
                        on_time_original = deadline is None or completed_on <= deadline
                    elif state == "awaiting_confirmation":
                        reported = _at(min(BENCH_TODAY, period_end), rng)
                    # work not started has no updates: its share goes to the next assignment
                    quota = per_assignment[assignment_id - 1] + carry
                    n_updates, carry = (0, quota) if state == "not_started" else (quota, 0)
                    officers = officers_by_unit.get(unit_id) or [None]
                    end_day = completed_on or min(BENCH_TODAY, period_end + dt.timedelta(days=20))
                    span = max(1, (end_day - first).days)
                    percent = 0
                    last_at = None
                    updates = []
                    for j in range(n_updates):
                        update_id += 1
                        day = first + dt.timedelta(days=span * (j + 1) // (n_updates + 1))
                        last_at = _at(day, rng)
                        final = state in ("done", "awaiting_confirmation") and j == n_updates - 1
                        percent = 100 if final else min(95, percent + rng.randint(5, 30))
                        updates.append((
                            update_id, assignment_id, rng.choice(officers), last_at,
                            "completion" if final else "progress", percent,
                            rng.choice(_RESULTS), rng.choice(_DIFFICULTIES), "",
                        ))
                    if state == "not_started":
                        percent = 0
                    else:
                        last_active = (assignment_id, officers)
                    a_writer.add((
                        assignment_id, directive_id, unit_id, role, deadline,
                        "Báo cáo tháng" if deadline else None, extended_deadline,
                        first + dt.timedelta(days=20) if extended else None, first, state,
                        100 if state == "done" else percent, reported, completed_at,
                        completed_on, on_time, on_time_original, last_at, 1,
                    ))
                    for update in updates:
                        u_writer.add(update)
                    if extended:
                        extension_id += 1
                        e_writer.add((
                            extension_id, assignment_id, rng.choice(officers),
                            _at(first + dt.timedelta(days=15), rng),
                            "Cần thêm thời gian phối hợp với các sở, ngành.",
                            extended_deadline, "approved", rng.choice(leader_ids),
                            _at(first + dt.timedelta(days=20), rng), "Đồng ý gia hạn.",
                        ))
        if carry and last_active is not None:  # the last assignments were not started
            for _ in range(carry):
                update_id += 1
                u_writer.add((
                    update_id, last_active[0], rng.choice(last_active[1]), _at(BENCH_TODAY, rng),
                    "progress", 50, rng.choice(_RESULTS), "", "",
                ))
        for writer in (d_writer, a_writer, u_writer, e_writer):
            writer.flush()
        written["directive"] = d_writer.written
        written["assignment"] = a_writer.written
        written["progress_update"] = u_writer.written
        written["extension_request"] = e_writer.written
        open_key.refresh(conn)  # written outside the session: every directive's open key
        if conn.dialect.name == "postgresql":
            for name in ("unit", "user", "period", "source_document", "directive", "assignment",
                         "progress_update", "extension_request"):
                conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"
                ))
    with engine.connect() as conn:
        # the planner statistics a live database would have (autovacuum / PRAGMA optimize);
        # on PostgreSQL also the visibility map autovacuum keeps, without which no index-only
        # scan is planned (a unit's record reads ix_assignment_unit_facts alone)
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
    log(f"  all rows: {time.perf_counter() - started:.1f} s")
    return written

