"""The list's text filter through the text index (FTS5 trigram table on SQLite, pg_trgm GIN
index on PostgreSQL) finds exactly what the plain rule finds: the folded query inside the folded
text of the directive or of one of its sub-directives; edits show at once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade
from werkzeug.datastructures import MultiDict

from tests.conftest import build_app, make_database
from tracker.core.errors import UserError
from tracker.core.periods import PeriodKey
from tracker.directives import listing, queries, services, text_index
from tracker.directives.models import Directive
from tracker.directives.search import fold, search_text
from tracker.extensions import db

# (number, title, text, field, sub-directives as (number, title, text))
DATA = {
    (2024, 5): [
        ("1", "Đẩy nhanh giải ngân vốn đầu tư công", "Báo cáo tiến độ hằng tuần.", "kinh_te", []),
        ("2", "Rà soát ngân sách năm 2024", "Trình HĐND điều chỉnh dự toán.", "kinh_te",
         [("1", "Báo cáo kết quả", "Gửi Sở Tài chính trước ngày 15.")]),
        ("3", "Công tác quy hoạch", "Điều chỉnh đồ án phân khu.", "xay_dung_do_thi",
         [("1", "Lập hồ sơ", "Khảo sát hiện trạng."),
          ("2", "Phân bổ ngân sách cho Phường 9", "Ưu tiên hạ tầng.")]),
        ("4", "Tỷ lệ giải ngân đạt 100% kế hoạch", "Chỉ tiêu 95%.", "kinh_te", []),
        ("5", "Mã số dự_án_01", "Hồ sơ dự án 01.", "chi_dao", []),
        ("6", 'Triển khai "Ngày hội đọc sách"', "Tại nhà văn hóa.", "van_hoa_xa_hoi", []),
        ("7", "Chương trình 'Xanh - Sạch - Đẹp'", "Đường dẫn a/b/c.", "van_hoa_xa_hoi", []),
        ("8", "Kho aaaa", "Nhiều   khoảng trắng; dòng một\ndòng hai.", "noi_chinh", []),
    ],
    (2024, 6): [
        ("1", "Thu NGÂN SÁCH đạt dự toán", "", "kinh_te", []),
        ("2", "Kiểm tra an toàn thực phẩm", "Đoàn liên ngành.", "van_hoa_xa_hoi",
         [("1", "Tuyên truyền", "Ngân sách hỗ trợ tuyên truyền.")]),
        ("3", "aaa", "ab", "cai_cach_hanh_chinh", []),
        ("4", "Đấu giá quyền sử dụng đất", "Đ", "kinh_te", []),
    ],
}

QUERIES = [
    # 1 and 2 characters: no trigram, the scan
    "n", "9", "%", "_", '"', "'", "/", "ng", "aa", "Đ", "a ",
    # 3 characters and more
    "ngâ", "ngân sách", "NGÂN SÁCH", "ngan sach", "giải ngân", "phường 9", "100%", "95%",
    "% k", "dự_án", "_an_", "du an", '"ngay hoi', 'sach"', '"', "'xanh", "sach'", "a/b/c",
    "n/b", "aaa", "aaaa", "aaaaa", "aaaaaa", "khoảng trắng", "nhieu   khoang", "nhieu khoang",
    "mot dong", "ket qua gui", "quy hoach 1", "sach cho phuong", "an toan thuc pham",
    "8 kho aaaa nhieu   khoang trang; dong mot\ndong hai.", "không có ở đâu cả", "2024",
]


def fold_query(q: str) -> str:
    return " ".join(fold(q).split())


def build() -> dict[str, tuple[int, str]]:
    """The data above; the search text of every directive by key ("2024-5/3/2": item 3, sub-item 2
    of May 2024) with its id."""
    made: dict[str, tuple[int, str]] = {}
    for (year, month), items in DATA.items():
        for number, title, text, field, subs in items:
            parent = services.create_directive(
                _input(number, title, text, field, None, PeriodKey(year, month))
            )
            made[f"{year}-{month}/{number}"] = (parent.id, search_text(number, title, text))
            for sub_number, sub_title, sub_text in subs:
                child = services.create_directive(
                    _input(sub_number, sub_title, sub_text, field, parent.id, None)
                )
                made[f"{year}-{month}/{number}/{sub_number}"] = (
                    child.id, search_text(sub_number, sub_title, sub_text)
                )
    db.session.commit()
    return made


def _input(number, title, text, field, parent_id, period) -> services.DirectiveInput:
    return services.DirectiveInput(
        number=number, title=title, text=text, field=field, deadline=None, leader_id=None,
        parent_id=parent_id, period=period,
    )


def expected(q: str, where=lambda d: True) -> set[int]:
    """The plain rule, in Python, over the rows as they are now."""
    wanted = fold_query(q)
    rows = db.session.scalars(sa.select(Directive).where(Directive.parent_id.is_(None))).all()
    return {
        d.id for d in rows if where(d) and any(
            wanted in fold(t) for t in [d.search_text, *(c.search_text for c in d.children)]
        )
    }


def listed(args: dict[str, str]) -> set[int]:
    """What the list shows (every page), and what its one-statement form selects."""
    periods = [p for p, _ in queries.periods_with_counts()]
    f = listing.parse_filters(MultiDict({"per_page": "100", **args}), periods)
    page = listing.page_ids(f)
    assert page.total == len(page.items)
    whole = set(db.session.scalars(listing.filtered_select(f)))
    assert set(page.items) == whole, args
    return whole


def selected(q: str, *, few_rows: bool) -> set[int]:
    d = Directive
    return set(db.session.scalars(
        sa.select(d.id).where(listing.top_level(d), text_index.matches(q, d, few_rows=few_rows))
    ))


def test_index_finds_what_the_substring_rule_finds(app: Flask) -> None:
    with app.test_request_context():
        made = build()
        for q in QUERIES:
            everywhere = expected(q)
            assert selected(q, few_rows=False) == everywhere, q
            assert selected(q, few_rows=True) == everywhere, q
            if not fold_query(q):
                continue
            assert listed({"period": "all", "q": q}) == everywhere, q
            assert listed({"period": "all", "field": "kinh_te", "q": q}) == expected(
                q, lambda d: d.field == "kinh_te"), q
            may = db.session.get(Directive, made["2024-5/1"][0]).period_id
            assert listed({"period": "2024-05", "q": q}) == expected(
                q, lambda d, may=may: d.period_id == may), q
        # the data covers what the rule is about
        child_only = made["2024-5/3"][0]
        assert expected("sach cho phuong") == {child_only}
        assert "ngan sach" not in made["2024-5/3"][1]
        assert expected("8 kho aaaa nhieu   khoang trang; dong mot\ndong hai.") == set()
        whole = made["2024-5/1"][1]  # a query equal to a whole text
        assert listed({"period": "all", "q": whole}) == expected(whole) == {made["2024-5/1"][0]}
        assert expected("aaaa") == {made["2024-5/8"][0]} and expected("aaa") == {
            made["2024-5/8"][0], made["2024-6/3"][0]}
        assert expected("100%") and expected("dự_án") and expected('"ngay hoi')
        assert expected("không có ở đâu cả") == set()


def test_edits_are_found_at_once(app: Flask) -> None:
    q = {"period": "all", "q": "ngân sách"}
    with app.test_request_context():
        made = build()
        before = listed(q)
        assert before == expected("ngân sách") and len(before) == 4

        first = db.session.get(Directive, made["2024-5/1"][0])  # a title changed
        services.update_directive(first, _input(
            "1", "Giải ngân vốn ngân sách", first.text, first.field, None, None))
        db.session.commit()
        assert listed(q) == before | {first.id} == expected("ngân sách")

        safety = db.session.get(Directive, made["2024-6/2"][0])  # a sub-directive removed
        db.session.delete(db.session.get(Directive, made["2024-6/2/1"][0]))
        db.session.commit()
        assert safety.id not in listed(q) and listed(q) == expected("ngân sách")

        land = db.session.get(Directive, made["2024-6/4"][0])  # a sub-directive added
        services.create_directive(_input("1", "Bổ sung ngân sách", "", "kinh_te", land.id, None))
        db.session.commit()
        assert land.id in listed(q) and listed(q) == expected("ngân sách")

        db.session.delete(first)  # a directive deleted
        db.session.commit()
        assert first.id not in listed(q) and listed(q) == expected("ngân sách")

        # writers without the ORM: a bulk insert (the bench generator) and a plain UPDATE
        period_id = land.period_id
        db.session.execute(sa.insert(Directive), [{
            "period_id": period_id, "number": "9", "position": 9, "title": "Ngân sách xã",
            "text": "", "search_text": search_text("9", "Ngân sách xã", ""), "field": "kinh_te",
        }])
        db.session.execute(
            sa.update(Directive).where(Directive.id == made["2024-5/2"][0])
            .values(search_text="2 ra soat du toan")
        )
        db.session.commit()
        after = listed(q)
        assert after == expected("ngân sách")
        assert made["2024-5/2"][0] not in after
        assert db.session.scalar(sa.select(Directive.id).where(Directive.number == "9")) in after


def test_the_filter_reads_the_index(app: Flask) -> None:
    """Across periods the statement can use the index (here forced: on a few rows a scan is
    cheaper, and PostgreSQL would rightly choose it)."""
    with app.test_request_context():
        build()
        d = Directive
        stmt = sa.select(d.id).where(text_index.matches("ngân sách", d, few_rows=False))
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        if db.engine.dialect.name == "sqlite":
            plan = db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            assert any(f"{text_index.FTS_TABLE} VIRTUAL TABLE" in row[-1] for row in plan), plan
        else:
            db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = db.session.execute(sa.text(f"EXPLAIN {compiled}")).scalars().all()
            assert any(text_index.TRIGRAM_INDEX in line for line in plan), plan
        db.session.rollback()


def test_migration_indexes_existing_directives_and_goes_back(tmp_path) -> None:
    url, drop = make_database(tmp_path)
    try:
        app = build_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="0009_scope_versions")
            with db.engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO period (id, year, month, kind) "
                                     "VALUES (1, 2024, 5, 'month')"))
                for id_, parent, words in ((1, None, "ke hoach"), (2, 1, "ngan sach 'x'"),
                                           (3, None, "ngan sach"), (4, None, "ngan")):
                    conn.execute(sa.text(
                        "INSERT INTO directive (id, period_id, parent_id, number, position, "
                        "title, text, search_text, field) VALUES (:id, 1, :parent, :n, 0, "
                        ":title, '', :words, 'kinh_te')"
                    ), {"id": id_, "parent": parent, "n": str(id_), "title": words,
                        "words": words})
            upgrade()
            assert selected("ngan sach", few_rows=False) == {1, 3}
            db.session.remove()
            downgrade(revision="0009_scope_versions")
            names = _index_objects()
            assert names == set(), names
            upgrade()
            assert _index_objects()
            assert selected("ngan sach 'x", few_rows=False) == {1}
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


def _index_objects() -> set[str]:
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(sa.text(
                "SELECT name FROM sqlite_master WHERE name LIKE 'directive_fts%'"))
        else:
            rows = conn.execute(sa.text(
                "SELECT indexname FROM pg_indexes WHERE indexname = :name"
            ), {"name": text_index.TRIGRAM_INDEX})
        return set(rows.scalars())


@pytest.mark.parametrize(("folded", "phrase"), [
    ("ngan sach", '"ngan sach"'), ('say "hi"', '"say ""hi"""'), ('"', '""""'),
    ("a OR b NOT c*", '"a OR b NOT c*"'),
])
def test_fts_phrase_quotes(folded: str, phrase: str) -> None:
    assert text_index.fts_phrase(folded) == phrase


def test_a_nul_character_is_refused(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(UserError, match="ký tự không hợp lệ"):
        listing.parse_filters(MultiDict({"period": "all", "q": "ngân\x00sách"}), [])
