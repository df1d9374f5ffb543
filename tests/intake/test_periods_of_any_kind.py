"""Periods of any kind in the database: a quarter report imported as a quarter, months and
quarters side by side in the pickers and lists, period= keys such as "2025-Q4" on every page,
and what the import stores: deadlines read from the text, working-day bases, the issuer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.directives.manage_helpers import base
from tracker.calendar.services import load_calendar
from tracker.core.errors import UserError
from tracker.core.periods import HALF, MONTH, QUARTER, YEAR, PeriodKey
from tracker.directives.models import Directive, Period, SourceDocument
from tracker.directives.queries import get_or_create_period, get_period, periods_with_directives
from tracker.extensions import db

__all__ = ["base"]

QUARTER_REPORT = Path(__file__).parent / "data" / "tx-duyen-hai-quy-iii-2025.txt"


@pytest.mark.parametrize(
    ("typed", "key", "label", "caption"),
    [
        ("03/2023", "2023-03", "03/2023", "Tháng 03/2023"),
        ("2025-Q4", "2025-Q4", "quý IV/2025", "Quý IV/2025"),
        ("quý IV/2025", "2025-Q4", "quý IV/2025", "Quý IV/2025"),
        ("Quy 2 nam 2024", "2024-Q2", "quý II/2024", "Quý II/2024"),
        ("6 tháng đầu năm 2025", "2025-H1", "6 tháng đầu năm 2025", "6 tháng đầu năm 2025"),
        ("2025-H2", "2025-H2", "6 tháng cuối năm 2025", "6 tháng cuối năm 2025"),
        ("năm 2024", "2024", "năm 2024", "Năm 2024"),
        ("Tháng 7/2024", "2024-07", "07/2024", "Tháng 07/2024"),
    ],
)
def test_period_keys_and_labels_round_trip(typed: str, key: str, label: str,
                                           caption: str) -> None:
    ref = PeriodKey.parse(typed)
    assert (ref.key, ref.label, ref.caption) == (key, label, caption)
    assert PeriodKey.parse(ref.key) == ref == PeriodKey.parse(ref.label)


@pytest.mark.parametrize("typed", ["quý V/2025", "2025-Q5", "6 tháng giữa năm 2025", "13/2023"])
def test_bad_period_text_is_refused_in_vietnamese(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        PeriodKey.parse(typed)
    assert "không hợp lệ" in caught.value.message


def _directive(period: Period, number: str, title: str) -> Directive:
    directive = Directive(period_id=period.id, number=number, title=title, field="kinh_te",
                          position=int(number))
    db.session.add(directive)
    return directive


def test_a_month_and_the_quarter_it_opens_are_two_periods(base) -> None:
    october = get_or_create_period(PeriodKey(2025, 10))
    q4 = get_or_create_period(PeriodKey(2025, 10, QUARTER))
    assert october.id != q4.id
    assert (october.kind, q4.kind) == (MONTH, QUARTER)
    assert get_period(PeriodKey.parse("2025-Q4")) is q4
    assert get_period(PeriodKey.parse("10/2025")) is october
    assert get_or_create_period(PeriodKey(2025, 10, QUARTER)) is q4
    for ref in (PeriodKey(2025, 7, HALF), PeriodKey(2025, 1, YEAR), PeriodKey(2025, 12)):
        _directive(get_or_create_period(ref), "1", f"Nhiệm vụ {ref.label}")
    _directive(october, "1", "Nhiệm vụ tháng 10")
    _directive(q4, "1", "Nhiệm vụ quý IV")
    db.session.commit()
    # Newest end first; a longer span before the months it holds.
    assert [p.key for p in periods_with_directives()] == [
        "2025", "2025-H2", "2025-Q4", "2025-12", "2025-10"
    ]


def test_pages_take_quarter_keys_and_show_quarter_labels(base, client, auth) -> None:
    october = get_or_create_period(PeriodKey(2025, 10))
    q4 = get_or_create_period(PeriodKey(2025, 10, QUARTER))
    _directive(october, "1", "Rà soát hồ sơ đất đai tháng mười")
    _directive(q4, "1", "Tổng kết công tác cải cách hành chính quý bốn")
    db.session.commit()
    auth.login("vanphong")

    page = client.get("/directives?period=2025-Q4").get_data(as_text=True)
    assert '<option value="2025-Q4" selected>Quý IV/2025</option>' in page
    assert '<option value="2025-10">Tháng 10/2025</option>' in page
    assert "quý bốn" in page and "tháng mười" not in page
    assert "trong quý IV/2025" in page

    page = client.get("/directives?period=2025-10").get_data(as_text=True)
    assert "tháng mười" in page and "quý bốn" not in page

    for url, title in [("/dashboard?period=2025-Q4", "Bảng tổng hợp nhiệm vụ quý IV/2025"),
                       ("/?period=2025-Q4", "Nhiệm vụ trọng tâm quý IV/2025"),
                       ("/units/?period=2025-Q4", "kết quả quý IV/2025")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert title in response.get_data(as_text=True), url

    # A period nobody gave tasks for is an empty list, not an error.
    missing = client.get("/directives?period=2025-Q3")
    assert missing.status_code == 200
    assert "<td" not in missing.get_data(as_text=True).split("<tbody", 1)[-1].split("</tbody>")[0]


def test_a_quarter_report_is_stored_with_what_its_text_says(base, runner, client, auth) -> None:
    result = runner.invoke(args=["import-report", str(QUARTER_REPORT), "--today", "2025-10-01"])
    assert result.exit_code == 0, result.output
    assert "Đã nhập 4 nhiệm vụ kỳ quý IV/2025" in result.output

    period = db.session.scalar(sa.select(Period))
    assert (period.key, period.kind, period.label) == ("2025-Q4", QUARTER, "quý IV/2025")
    source = db.session.scalar(sa.select(SourceDocument))
    assert source.issuer == "UBND thị xã Duyên Hải"  # the header's body, as pages name it
    assert (source.number, source.issued_on) == ("96/BC-UBND", dt.date(2025, 9, 26))

    by_number = {d.number: d for d in db.session.scalars(sa.select(Directive))}
    # "chậm nhất ngày 15/12/2025"
    assert by_number["1"].deadline == dt.date(2025, 12, 15)
    assert {a.deadline for a in by_number["1"].assignments} == {dt.date(2025, 12, 15)}
    # "trong 20 ngày làm việc kể từ ngày nhận chỉ đạo", assigned on 01/10/2025
    expected = load_calendar().add_working_days(dt.date(2025, 10, 1), 20)
    assert by_number["2"].deadline == expected
    [lead] = by_number["2"].assignments
    assert (lead.unit.code, lead.deadline) == ("VP", expected)
    assert lead.deadline_basis == "20 ngày làm việc kể từ ngày 01/10/2025"
    # "(thực hiện thường xuyên)": no deadline at all
    assert by_number["3"].deadline is None
    assert all(a.deadline is None for a in by_number["3"].assignments)
    # nothing written: the period's end; "03 phường, xã" names no ward, so none is assigned
    assert by_number["4"].deadline == dt.date(2025, 12, 31)
    assert [a.unit.code for a in by_number["4"].assignments] == ["CA"]

    auth.login("chutich")
    detail = client.get(f"/directives/{by_number['2'].id}")
    assert detail.status_code == 200
    assert "Quý IV/2025" in detail.get_data(as_text=True)
