"""The corpus of reports in tests/intake/reports/: the importer reproduces every expected JSON.

Each report has ``<name>.expected.json`` (what a careful reader at the Văn phòng extracts) and
may have ``<name>.units.json`` (its own unit catalogue; the routing rules then keep only the
codes of that catalogue). Assignment dates are fixed in corpus.json and the working-day
calendar is the holidays package's, so the expectations do not move. Regenerate an expected
file after a deliberate change with ``UPDATE_CORPUS=1`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from tracker.calendar.workdays import WorkCalendar
from tracker.demo.seed import SEED_REPORT
from tracker.intake.parser import ReportParseError, parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.routing import DEFAULT_RULES, RuleSpec
from tracker.intake.unit_names import UnitRef

REPORTS = Path(__file__).parent / "reports"
MANIFEST = json.loads((REPORTS / "corpus.json").read_text(encoding="utf-8"))


def _parse(entry: dict) -> dict:
    path = REPORTS / entry["file"]
    units_file = path.with_name(path.name.rsplit(".", 1)[0] + ".units.json")
    catalogue, rules = None, DEFAULT_RULES
    if units_file.exists():
        catalogue = [
            UnitRef(u["code"], u["name"], u.get("kind", "department"), tuple(u.get("aliases", ())))
            for u in json.loads(units_file.read_text(encoding="utf-8"))
        ]
        codes = {unit.code for unit in catalogue}
        rules = [RuleSpec(r.keywords, tuple(c for c in r.unit_codes if c in codes), r.role,
                          r.field) for r in DEFAULT_RULES]
    text = read_report_file(path.name, path.read_bytes())
    report = parse_report(text, rules=rules, catalogue=catalogue, calendar=WorkCalendar(),
                          assigned_on=dt.date.fromisoformat(entry["assigned_on"]))
    return report.to_json()


def test_the_corpus_covers_every_shape() -> None:
    assert len(MANIFEST) >= 12
    suffixes = {entry["file"].rsplit(".", 1)[1] for entry in MANIFEST}
    assert suffixes == {"txt", "md", "docx", "pdf"}
    for entry in MANIFEST:
        assert (REPORTS / entry["file"]).exists()


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_report_gives_its_expected_json(entry: dict) -> None:
    expected_file = REPORTS / (entry["file"].rsplit(".", 1)[0] + ".expected.json")
    data = _parse(entry)
    if os.environ.get("UPDATE_CORPUS"):
        expected_file.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                 encoding="utf-8")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert data == expected


def test_crlf_report_reads_like_lf() -> None:
    path = REPORTS / "01-tp-vinh-long-thang-10-2023.txt"
    assert b"\r\n" in path.read_bytes()
    lf = path.read_bytes().replace(b"\r\n", b"\n")
    assert read_report_file("a.txt", lf) == read_report_file("a.txt", path.read_bytes())


def test_scanned_pdf_is_refused_with_what_to_do() -> None:
    path = REPORTS / "bad-scanned-no-text.pdf"
    with pytest.raises(ReportParseError) as caught:
        read_report_file(path.name, path.read_bytes())
    assert "không có lớp chữ" in caught.value.message
    assert "Hãy tải lên tệp .docx" in caught.value.message


def test_demo_report_gives_the_same_tasks_as_before() -> None:
    """Numbers, titles, texts, fields and units as main's import-report --json gave them."""
    before = json.loads((Path(__file__).parent / "demo_main_output.json").read_text("utf-8"))
    now = parse_report(read_report_file(SEED_REPORT.name, SEED_REPORT.read_bytes())).to_json()
    keys = ("number", "title", "text", "field", "lead_units", "support_units")

    def strip(items: list[dict]) -> list[dict]:
        return [{**{k: i[k] for k in keys}, "children": strip(i["children"])} for i in items]

    assert strip(now["items"]) == strip(before["items"])
    assert {k: now[k] for k in ("period", "document_number", "issued_on", "title")} == {
        k: before[k] for k in ("period", "document_number", "issued_on", "title")
    }
    assert now["issuer"] == "UBND thành phố Trà Vinh"
