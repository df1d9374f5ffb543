"""The March report as of 01/03, 15/03, 31/03 and 05/04/2023 against an independent computation
over the demo's history; nothing recorded after the day appears; task 6; the golden text."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from tests.reports.independent import later_texts, task_buckets
from tracker.core.periods import PeriodKey
from tracker.reports import services
from tracker.reports.docx_export import build_docx

MARCH = PeriodKey(2023, 3)
DAYS = [dt.date(2023, 3, 1), dt.date(2023, 3, 15), dt.date(2023, 3, 31), dt.date(2023, 4, 5)]
GOLDEN = Path(__file__).parent / "golden" / "march-2023-as-of-2023-04-05.txt"
PHRASES = {
    "done_on_time": "hoàn thành đúng hạn",
    "done_late": "hoàn thành chậm",
    "overdue": "quá hạn",
    "in_progress": "trong hạn",
    "not_started": "chưa",
    "no_deadline": "thường xuyên",
}


def docx_text(data: bytes) -> tuple[list[str], str]:
    """(body paragraphs, every text of the file: body, tables, footnotes)."""
    document = Document(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = " ".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                       if name.startswith("word/") and name.endswith(".xml"))
    plain = re.sub(r"<[^>]+>", "", xml)
    return [p.text for p in document.paragraphs], plain


def paragraph_of(paragraphs: list[str], number: str) -> str:
    label = "Nội dung" if "." in number else "Nhiệm vụ số"
    found = [p for p in paragraphs if p.startswith("- ") and re.search(
        rf"{label} {re.escape(number)}\b(?![.\d])", p)]
    assert found, number
    return found[0]


def summary_of(paragraphs: list[str]) -> str:
    return next(p for p in paragraphs if p.startswith("- Kết quả thực hiện nhiệm vụ trọng tâm"))


def _n(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_report_as_of_each_day_equals_the_independent_computation(march, day) -> None:  # noqa: ANN001
    expected = task_buckets(2023, 3, day)
    data = build_docx(services.fresh_document(MARCH, day))
    paragraphs, everything = docx_text(data)
    tops = {n: b for n, b in expected.items() if "." not in n}
    counted = {b: sum(1 for x in tops.values() if x == b) for b in PHRASES | {"withdrawn": 0}}
    summary = summary_of(paragraphs)
    total = len(tops) - counted["withdrawn"]
    due = counted["done_on_time"] + counted["done_late"] + counted["overdue"]
    assert _n(r"giao (\d+) nhiệm vụ trọng tâm", summary) == total
    assert _n(r"có (\d+) nhiệm vụ đến hạn", summary) == due
    assert _n(r"đúng hạn (\d+),", summary) == counted["done_on_time"]
    assert _n(r"chậm so với thời hạn (\d+)\)", summary) == counted["done_late"]
    assert _n(r"(\d+) nhiệm vụ quá hạn chưa hoàn thành", summary) == counted["overdue"]
    assert _n(r"đang thực hiện trong hạn (\d+)", summary) == counted["in_progress"]
    assert _n(r"chưa triển khai (\d+)", summary) == counted["not_started"]
    assert _n(r"không có thời hạn\) (\d+)", summary) == counted["no_deadline"]
    assert _n(r"Đã rút (\d+)", summary) == counted["withdrawn"]
    for number, bucket in expected.items():
        if bucket == "withdrawn":
            assert not any(re.search(rf"Nhiệm vụ số {number}\b", p) for p in paragraphs)
            continue
        text = paragraph_of(paragraphs, number)
        standing = text[text.rindex("Nhiệm vụ số" if "." not in number else "Nội dung"):]
        if "chờ" in standing and "xác nhận" in standing:  # reported done, not confirmed yet
            assert bucket in ("in_progress", "overdue"), (number, standing)
            continue
        assert PHRASES[bucket] in standing, (day, number, bucket, standing)
        if bucket == "overdue":
            assert "ngày làm việc" in standing or "quá hạn so với" in standing
    for later in later_texts(day):
        assert later[:60] not in everything, (day, later)
    hạn_chế = [p for p in paragraphs if p.startswith("* Bên cạnh")]
    assert len(hạn_chế) == 1
    lines = paragraphs[paragraphs.index(hạn_chế[0]):]
    lines = lines[: next(i for i, p in enumerate(lines) if p.startswith("II. "))]
    for number, bucket in tops.items():
        mentioned = any(re.search(rf"nhiệm vụ số {number}\b", p) for p in lines)
        if bucket in ("in_progress", "not_started", "done_on_time", "withdrawn"):
            assert not mentioned, (day, number, bucket)  # never what is not due or went well
        if bucket in ("overdue", "done_late"):
            assert mentioned, (day, number, bucket)


def test_march_as_of_5_april_task_6_and_the_summary(demo) -> None:  # noqa: ANN001
    data = build_docx(services.fresh_document(MARCH, dt.date(2023, 4, 5)))
    paragraphs, _ = docx_text(data)
    summary = summary_of(paragraphs)
    assert "có 13 nhiệm vụ đến hạn" in summary
    assert "đã hoàn thành 06 nhiệm vụ (đúng hạn 05, chậm so với thời hạn 01), đạt 46,15%" in summary
    assert "tỷ lệ hoàn thành đúng hạn đạt 38,46%" in summary
    assert "07 nhiệm vụ quá hạn chưa hoàn thành" in summary
    six = paragraph_of(paragraphs, "6")
    assert six.startswith("- Ban Quản lý dự án đầu tư xây dựng giải ngân 42,9 tỷ đồng (45%)")
    assert "quá hạn 03 ngày làm việc so với thời hạn 31/03/2023, đạt 45%" in six
    assert "đề nghị gia hạn đến 30/06/2023, đang chờ" in six
    lead_in = next(p for p in paragraphs if p.startswith("* Bên cạnh"))
    assert "còn 07 nhiệm vụ quá hạn chưa hoàn thành" in lead_in
    field = next(p for p in paragraphs if p.startswith("- Công tác xây dựng cơ bản"))
    assert "nhiệm vụ số 6 (Ban Quản lý dự án đầu tư xây dựng chủ trì) quá hạn 03 ngày làm việc, " \
           "mới đạt 45%" in field
    assert "nhiệm vụ số 4" not in " ".join(paragraphs[paragraphs.index(lead_in):])
    five = paragraph_of(paragraphs, "5")
    assert "85,1%" not in five and "hoàn thành chậm 01 ngày làm việc" in five
    assert "chờ lãnh đạo UBND thành phố Trà Vinh xác nhận" in paragraph_of(paragraphs, "6.1")


def golden_text(data: bytes) -> str:
    """The report as the Văn phòng reads it: body paragraphs, then the footnotes, numbered."""
    paragraphs, _ = docx_text(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        notes_xml = archive.read("word/footnotes.xml").decode("utf-8") if (
            "word/footnotes.xml" in archive.namelist()) else ""
    notes = [re.sub(r"<[^>]+>", "", n).strip() for n in re.findall(
        r'<w:footnote w:id="[1-9]\d*">(.*?)</w:footnote>', notes_xml, re.S)]
    lines = [p for p in paragraphs if p.strip()]
    lines += ["", "Chú thích:"] + [f"{i}. {n}" for i, n in enumerate(notes, start=1)]
    return "\n".join(lines) + "\n"


def test_golden_text_of_the_march_report(demo) -> None:  # noqa: ANN001
    """The reviewed wording of the March report as of 05/04/2023: a change must be deliberate
    (UPDATE_GOLDEN=1 rewrites the file; review the diff as the Văn phòng would)."""
    text = golden_text(build_docx(services.fresh_document(MARCH, dt.date(2023, 4, 5))))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_rebuilt_later_the_report_reads_the_same(demo, app) -> None:  # noqa: ANN001
    """The March report as of 31/03 built on 31/03 and built years later: the same text."""
    app.config["TRACKER_TODAY"] = "2023-03-31"
    then = golden_text(build_docx(services.fresh_document(MARCH, dt.date(2023, 3, 31))))
    app.config["TRACKER_TODAY"] = None
    now = golden_text(build_docx(services.fresh_document(MARCH, dt.date(2023, 3, 31))))
    assert then == now
    assert "hồ sơ điều chỉnh 6/6 đồ án" not in then  # 6.1's completion came on 04/04
    assert "42,9 tỷ đồng" in then  # task 6's report of 30/03
