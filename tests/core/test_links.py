"""The templates' url_for (tracker/core/links.py) gives Flask's link in every case it keeps."""

import pytest
from flask import url_for

from tracker.core import links
from tracker.core.links import kept_url_for

CASES = [
    ("directives.list", {"bucket": "overdue", "period": "2023-03", "as_of": "05/04/2023"}),
    ("directives.list", {"period": "2023-03", "as_of": "05/04/2023", "bucket": "overdue"}),
    ("directives.list", {"q": "ngân sách & <đô thị>", "field": None}),
    ("units.detail", {"unit_id": 7}),
    ("units.detail", {"unit_id": 7, "period": "2023-03"}),
    ("directives.list", {"page": 1}),
    ("directives.list", {"page": True}),
    ("directives.list", {"page": 1.5}),
    ("directives.index", {}),
    ("static", {"filename": "css/app.css"}),
]


@pytest.mark.parametrize(("script_root", "path"), [("", "/units/"), ("/tracker", "/units/")])
def test_every_link_equals_flasks_whether_built_or_kept(app, script_root, path):
    with app.test_request_context(path, base_url="http://localhost" + script_root):
        for _ in range(2):  # built, then kept
            for endpoint, values in CASES:
                assert kept_url_for(endpoint, **values) == url_for(endpoint, **values)
        # relative to the request's blueprint, Flask's options, a list: all as Flask builds them
        assert kept_url_for(".detail", unit_id=3) == url_for("units.detail", unit_id=3)
        assert kept_url_for("directives.list", _anchor="ket-qua", bucket="overdue") == url_for(
            "directives.list", _anchor="ket-qua", bucket="overdue")
        assert kept_url_for("directives.list", unit=[1, 2]) == url_for("directives.list",
                                                                        unit=[1, 2])
        if script_root:
            assert kept_url_for("directives.index").startswith("/tracker/")


def test_a_mount_prefix_is_part_of_the_key(app):
    with app.test_request_context("/"):
        plain = kept_url_for("units.detail", unit_id=5)
    with app.test_request_context("/", base_url="http://localhost/app"):
        assert kept_url_for("units.detail", unit_id=5) == "/app" + plain


def test_the_memory_is_bounded(app, monkeypatch):
    monkeypatch.setattr(links, "MAX_LINKS", 5)
    with app.test_request_context("/"):
        for n in range(12):
            assert kept_url_for("units.detail", unit_id=n) == url_for("units.detail", unit_id=n)
        assert len(app.extensions["tracker.links"]) <= 5


def test_templates_use_it(app):
    assert app.jinja_env.globals["url_for"] is kept_url_for
