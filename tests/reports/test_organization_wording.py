"""The report's header, place and signer are the organization's (tracker/organization): the
Văn phòng reads them, an admin edits them on "Quản trị → Cơ quan", the next draft uses them."""

from __future__ import annotations

import re

from tests.reports.conftest import AS_OF
from tracker.core.periods import PeriodKey
from tracker.directives.fields import FIELDS
from tracker.reports import services

MARCH = PeriodKey(2023, 3)


def test_settings_change_the_signer(march, client, auth) -> None:  # noqa: ANN001
    auth.login("vanphong")
    response = client.get("/reports/settings")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organization/")
    assert "Nguyễn Văn Tâm" in client.get("/organization/").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    assert client.get("/reports/settings").headers["Location"].endswith("/admin/organization")
    page = client.get("/admin/organization").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {"level": "district", "name": "Thành phố Trà Vinh", "place": "Trà Vinh",
            "header_parent": "ỦY BAN NHÂN DÂN", "header_name": "THÀNH PHỐ TRÀ VINH",
            "short_name": "UBND thành phố Trà Vinh", "signer_name": "Trần Thị Hồng",
            "signer_title": "PHÓ CHỦ TỊCH", "signer_capacity": "KT. CHỦ TỊCH",
            "number_series": "BC-UBND", "recipients": "UBND tỉnh\nLưu: VT, TH",
            "fields": "\n".join(f"{c} | {label}" for c, label in FIELDS),
            "version": version}
    assert client.post("/admin/organization", data=data).status_code == 302
    doc = services.fresh_document(MARCH, AS_OF)
    assert doc.signer_name == "Trần Thị Hồng" and doc.recipients == ["- UBND tỉnh", "- Lưu: VT, TH"]
    assert doc.signer_capacity == "KT. CHỦ TỊCH"
    data["version"] = str(int(version) + 1)
    data["name"] = ""
    assert client.post("/admin/organization", data=data).status_code == 400
