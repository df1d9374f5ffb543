"""`flask import-report`: the seed report, its .docx twin, --json/--dry-run/--period/--deadline,
idempotence, and every kind of bad file (message on stderr, exit 1, nothing written)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.directives.manage_helpers import SEED_REPORT, base, seed_docx_bytes, snapshot
from tracker.core.models import AuditEvent
from tracker.directives.models import Assignment, Directive, SourceDocument
from tracker.extensions import db
from tracker.units.models import Unit

__all__ = ["base"]


def _run(runner, *args: str):
    return runner.invoke(args=["import-report", *args])


def _directives() -> list[Directive]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Directive).order_by(Directive.id)))


def _check_seed_import(directives: list[Directive]) -> None:
    top = [d for d in directives if d.parent_id is None]
    subs = [d for d in directives if d.parent_id is not None]
    assert [d.number for d in top] == [str(n) for n in range(1, 16)]
    assert [d.number for d in subs] == ["6.1", "6.2"]
    assert {d.parent.number for d in subs} == {"6"}
    assert {d.period.key for d in directives} == {"2023-03"}
    assert all(d.deadline == dt.date(2023, 3, 31) for d in directives)
    for d in directives:
        assert "Trên đây là" not in d.text and "Nơi nhận" not in d.text
        assert not any(ch in d.text for ch in "¹²³⁴⁵⁶⁷⁸⁹")


def test_imports_the_seed_report(base, runner):
    result = _run(runner, str(SEED_REPORT), "--today", "2023-03-01")
    assert result.exit_code == 0, result.output
    assert "Đã nhập 17 nhiệm vụ kỳ 03/2023 (15 nhiệm vụ, 2 nhiệm vụ con)" in result.output
    directives = _directives()
    _check_seed_import(directives)
    item5 = next(d for d in directives if d.number == "5")
    units = {a.unit.code: a.role for a in item5.assignments}
    assert units == {"TCKH": "lead", "CCT": "support"}
    assert all(a.assigned_on == dt.date(2023, 3, 1) for a in item5.assignments)
    assert all(a.deadline == dt.date(2023, 3, 31) for a in item5.assignments)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert len(events) == 1 and events[0].after["directives"] == 17


def test_second_import_creates_nothing_and_says_so(base, runner):
    assert _run(runner, str(SEED_REPORT)).exit_code == 0
    before = snapshot()
    again = _run(runner, str(SEED_REPORT))
    assert again.exit_code == 0
    assert "đã được nhập trước đây" in again.output
    assert "không tạo thêm nhiệm vụ nào" in again.output
    assert snapshot() == before


def test_dry_run_writes_nothing(base, runner):
    before = snapshot()
    result = _run(runner, str(SEED_REPORT), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "sẽ tạo 17 nhiệm vụ (15 nhiệm vụ, 2 nhiệm vụ con)" in result.output
    assert "6.1. Tiếp tục điều chỉnh các đồ án quy hoạch" in result.output
    assert "Chủ trì: Phòng Giáo dục và Đào tạo" in result.output
    assert "Chạy thử: không ghi gì" in result.output
    assert snapshot() == before


def test_json_prints_the_parsed_report(base, runner):
    result = runner.invoke(
        args=["import-report", str(SEED_REPORT), "--json", "--dry-run"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["period"] == "2023-03"
    assert {"period", "document_number", "issued_on", "title", "warnings", "items"} <= set(data)
    assert [item["number"] for item in data["items"]] == [str(n) for n in range(1, 16)]
    item6 = data["items"][5]
    assert set(item6) == {"number", "title", "text", "field", "lead_units", "support_units",
                          "children", "deadline", "deadline_text", "working_days",
                          "unmatched_units", "unit_groups"}
    assert data["issuer"] == "UBND thành phố Trà Vinh"
    assert data["items"][7]["unmatched_units"] == ["Sở Y tế"]
    assert [child["number"] for child in item6["children"]] == ["6.1", "6.2"]
    assert data["items"][4]["lead_units"] == ["TCKH"]
    assert snapshot()["directive"] == 0


def test_json_with_import_keeps_stdout_pure_json(base, runner):
    result = _run(runner, str(SEED_REPORT), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["period"] == "2023-03"
    assert "Đã nhập 17 nhiệm vụ" in result.stderr
    assert len(_directives()) == 17


def test_imports_a_docx_made_from_the_seed(base, runner, tmp_path: Path):
    path = tmp_path / "bao-cao-thang-02.docx"
    path.write_bytes(seed_docx_bytes())
    result = _run(runner, str(path))
    assert result.exit_code == 0, result.output
    _check_seed_import(_directives())


def test_deadline_option_sets_every_deadline(base, runner):
    result = _run(runner, str(SEED_REPORT), "--deadline", "15/04/2023")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    deadlines = set(db.session.scalars(sa.select(Assignment.deadline)))
    assert deadlines == {dt.date(2023, 4, 15)}


def test_period_option_for_a_heading_without_date(base, runner, tmp_path: Path):
    text = SEED_REPORT.read_text(encoding="utf-8").replace(
        "TRONG THÁNG 03/2023", "TRONG THÁNG TỚI"
    )
    assert "THÁNG TỚI" in text
    path = tmp_path / "thang-toi.md"
    path.write_text(text, encoding="utf-8")
    derived = _run(runner, str(path), "--dry-run")  # the month after the title's 02/2023
    assert derived.exit_code == 0, derived.output
    assert "Kỳ 03/2023" in derived.output and "ghi “kỳ tới”" in derived.stderr
    untitled = tmp_path / "khong-ky.md"
    untitled.write_text(text.replace("tháng 02/2023", ""), encoding="utf-8")
    refused = _run(runner, str(untitled))
    assert refused.exit_code == 1
    assert "không ghi rõ kỳ (tháng, quý hoặc năm)" in refused.stderr
    assert snapshot()["directive"] == 0
    result = _run(runner, str(path), "--period", "2023-04")
    assert result.exit_code == 0, result.output
    assert {d.period.key for d in _directives()} == {"2023-04"}


def _docx_broken() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<not-xml")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rong.txt", b"", "Tệp rỗng."),
        ("latin.txt", "Báo cáo tháng 3".encode("cp1258"), "không phải UTF-8"),
        ("khong-muc-ii.txt", "BÁO CÁO\n\nI. KẾT QUẢ\n\n1. Đã làm.".encode(),
         "Không tìm thấy mục"),
        ("hong.docx", _docx_broken(), "Tệp .docx bị hỏng"),
        ("rac.docx", bytes(range(256)) * 4, "Tệp .docx bị hỏng"),
        ("cu.doc", b"\xd0\xcf\x11\xe0", ".doc (Word 97-2003)"),
        ("lon.txt", b"a" * (5 * 1024 * 1024 + 1), "vượt quá dung lượng"),
    ],
)
def test_bad_files_fail_with_a_vietnamese_message(base, runner, tmp_path: Path, name: str,
                                                  data: bytes, message: str):
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot()
    result = _run(runner, str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert snapshot() == before


def test_bad_options_are_refused(base, runner):
    before = snapshot()
    for args in (["--period", "2023-13"], ["--deadline", "31/02/2023"], ["--period", "x"]):
        result = _run(runner, str(SEED_REPORT), *args)
        assert result.exit_code == 2, args
        assert "không" in result.output
    assert snapshot() == before


def test_import_is_all_or_nothing(base, runner, monkeypatch):
    """A failure half-way through leaves no directive, source or audit event behind."""
    from tracker.intake import drafts as services

    calls = {"n": 0}
    original = services._create_from_item

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 9:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_create_from_item", failing)
    before = snapshot()
    result = _run(runner, str(SEED_REPORT))
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument)) == 0


def test_unknown_unit_codes_in_rules_are_reported(base, runner):
    db.session.execute(sa.delete(Unit).where(Unit.code == "CCT"))
    db.session.commit()
    result = _run(runner, str(SEED_REPORT))
    assert result.exit_code == 0
    assert "chưa có đơn vị mã CCT" in result.output
