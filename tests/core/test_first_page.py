"""The first page after login lists the directives of the latest period with data."""

from __future__ import annotations

import unicodedata


def test_first_page_lists_march_2023(client, demo, auth):
    auth.login("vanphong")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html == unicodedata.normalize("NFC", html)
    assert "Nhiệm vụ trọng tâm tháng 03/2023" in html
    assert "31/03/2023" in html  # dd/mm/yyyy
    assert "Phòng Giáo dục và Đào tạo" in html
    for number in range(1, 16):
        assert f'<td class="directive-number">{number}</td>' in html
    assert "Tiếp tục điều chỉnh các đồ án quy hoạch" in html  # sub-directive 6.1


def test_first_page_without_directives(client, app, auth):
    from tracker.demo.seed import seed_units, seed_users
    from tracker.extensions import db

    seed_units()
    seed_users()
    db.session.commit()
    auth.login("vanphong")
    html = client.get("/").get_data(as_text=True)
    assert "Chưa có nhiệm vụ nào" in html
