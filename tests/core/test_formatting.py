"""The display helpers every page shares: the long pickers' options."""

from __future__ import annotations

from tracker.core.formatting import select_options


def test_select_options_marks_the_chosen_value_compared_as_text():
    html = select_options([(1, "Sở Tài chính"), (12, "Phường 1"), (2, "Xã An Phú")], "12")
    assert html == (
        '<option value="1">Sở Tài chính</option>'
        '<option value="12" selected>Phường 1</option>'
        '<option value="2">Xã An Phú</option>'
    )
    assert str(select_options([("2025-11", "Tháng 11/2025")], None)).count("selected") == 0


def test_select_options_escape_values_and_labels():
    html = select_options([('a"b', "<b>Phường & Xã</b>")], 'a"b')
    assert html == '<option value="a&#34;b" selected>&lt;b&gt;Phường &amp; Xã&lt;/b&gt;</option>'


def test_select_options_kept_options_mark_each_call_its_own_choice():
    units = [(uid, f"Phường {uid}") for uid in range(1, 151)]
    first = select_options(units, 7)
    again = select_options(list(units), 150)
    assert first.count(" selected") == again.count(" selected") == 1
    assert '<option value="7" selected>Phường 7</option>' in first
    assert '<option value="150" selected>Phường 150</option>' in again
    assert '<option value="7">Phường 7</option>' in again
    assert select_options(units, 999).count("selected") == 0
    assert select_options(units) == select_options(units, None)
