"""Zip bombs through every door that opens an archive (issue 16, item 4): the report import page,
the import CLI and evidence files. The attack run's .docx declared a few KB in its zip headers and
inflated to a gigabyte (9.3 s, 2.17 GB); each door now answers fast, in Vietnamese, with bounded
memory, and writes nothing."""

from __future__ import annotations

import io
import time
import tracemalloc
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.core import zipbomb
from tests.directives.manage_helpers import base, snapshot
from tests.directives.workflow_helpers import assignment, files_in, login
from tracker.intake.parser import ReportParseError
from tracker.intake.reading import read_report_file
from tracker.work import evidence as attachments

__all__ = ["base"]

MiB = 1024 * 1024
BOMB_MESSAGE = "tỷ lệ nén bất thường"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """256 MiB of zeros in word/document.xml whose headers say 4 KB (a 1 GiB one behaves the
    same here; this size keeps a run of the test against unfixed code from eating the machine)."""
    return zipbomb.docx_bomb(256)


class Measured:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.peak = 0

    def __enter__(self) -> Measured:
        tracemalloc.start()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    def assert_bounded(self) -> None:
        # Memory is the bound that proves the bomb was not inflated (2 GB before the fix);
        # time is reported, not asserted (speed is shown by `make bench`, not by timed tests).
        assert self.peak < 50 * MiB, (self.seconds, self.peak)


def test_the_parser_refuses_the_bomb(bomb):
    with Measured() as used, pytest.raises(ReportParseError) as caught:
        read_report_file("bao-cao.docx", bomb)
    used.assert_bounded()
    assert caught.value.message.startswith("Tệp .docx có tỷ lệ nén bất thường")


def test_the_import_page_answers_400_fast(base, client, auth, bomb):
    auth.login("vanphong")
    before = snapshot()
    upload = FileStorage(stream=io.BytesIO(bomb), filename="bao-cao.docx",
                         content_type="application/vnd.openxmlformats-officedocument."
                                      "wordprocessingml.document")
    boundary, body = encode_multipart({"file": upload, "period": "2023-03"})
    with Measured() as used:
        response = client.post("/imports/new", data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")
    used.assert_bounded()
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Không nhập được tệp." in html and BOMB_MESSAGE in html
    assert snapshot() == before


def test_the_import_cli_fails_fast(base, runner, tmp_path, bomb):
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(bomb)
    before = snapshot()
    with Measured() as used:
        result = runner.invoke(args=["import-report", str(path)])
    used.assert_bounded()
    assert result.exit_code == 1
    assert BOMB_MESSAGE in result.stderr
    assert snapshot() == before


def test_an_evidence_file_bomb_is_refused(app, bomb):
    with Measured() as used, pytest.raises(attachments.AttachmentError) as caught:
        attachments.check_file("minh-chung.docx", bomb)
    used.assert_bounded()
    assert str(caught.value).startswith("Tệp minh-chung.docx có tỷ lệ nén bất thường")


def test_an_evidence_file_lying_about_its_sizes_is_refused(app):
    data = zipbomb.build([
        zipbomb.honest("[Content_Types].xml", zipbomb.CONTENT_TYPES),
        zipbomb.honest("_rels/.rels", zipbomb.RELS),
        zipbomb.Member("word/document.xml", b"<w:document/>", zipbomb.STORED, 0, 13),
    ])
    with pytest.raises(attachments.AttachmentError, match="không phải tệp Word/Excel hợp lệ"):
        attachments.check_file("minh-chung.docx", data)


def test_the_progress_page_refuses_a_bomb_and_stores_nothing(demo, bomb):
    demo.config["TRACKER_TODAY"] = "2023-04-05"
    client = login(demo, "gddt")
    a = assignment("7", "GDDT")
    fields = MultiDict({"percent": "85", "result": "Kèm minh chứng.", "version": str(a.version)})
    fields.add("files", FileStorage(io.BytesIO(bomb), filename="minh-chung.docx"))
    boundary, body = encode_multipart(fields)
    uploads = Path(demo.config["UPLOAD_DIR"])
    before = files_in(uploads)
    with Measured() as used:
        response = client.post(f"/assignments/{a.id}/progress", data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")
    used.assert_bounded()
    assert response.status_code == 400
    assert BOMB_MESSAGE in response.get_data(as_text=True)
    assert files_in(uploads) == before
