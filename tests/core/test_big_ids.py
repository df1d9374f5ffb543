"""Ids beyond a 32-bit column are 404, never a database error (PostgreSQL: out of range)."""

from __future__ import annotations


def test_big_ids_are_404(client, demo, auth):
    auth.login("chutich")
    for url in ("/directives/99999999999", "/units/99999999999",
                "/api/v1/assignments/99999999999", "/reports/99999999999"):
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
