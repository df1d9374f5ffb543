"""tracker.core.archives: members are inflated in bounded chunks, never trusting the zip headers."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import docx
import pytest

from tests.core import zipbomb
from tracker.core import archives
from tracker.demo.progress import demo_docx, demo_xlsx

MiB = 1024 * 1024


def _peak(function) -> tuple[float, int, BaseException | None]:
    """Seconds, peak traced bytes and the exception of one call."""
    tracemalloc.start()
    started = time.perf_counter()
    error = None
    try:
        function()
    except BaseException as exc:  # noqa: BLE001 - returned to the test
        error = exc
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, error


def test_understated_headers_stop_at_the_ratio_fast_and_small():
    data = zipbomb.docx_bomb(256)
    assert len(data) < 300 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # what the headers claim
        assert sum(i.file_size for i in archive.infolist()) < 5000
    seconds, peak, error = _peak(lambda: archives.rebuild(data, label="Tệp .docx"))
    assert isinstance(error, archives.ArchiveError) and error.kind == archives.BOMB
    assert error.message.startswith("Tệp .docx có tỷ lệ nén bất thường")
    assert peak < 50 * MiB, (seconds, peak)  # memory, not time, proves nothing was inflated


def test_an_honest_member_over_the_limit_is_refused():
    text = ("Nhiệm vụ trọng tâm tháng 3. " * 100_000).encode()  # 3 MB, ratio ~ 300+
    data = zipbomb.build([zipbomb.honest("word/document.xml", text)])
    with pytest.raises(archives.ArchiveError) as caught:
        archives.read_members(data, limits=archives.Limits(member=MiB, ratio=10_000))
    assert caught.value.kind == archives.TOO_LARGE and "trên 1 MB" in caught.value.message
    with pytest.raises(archives.ArchiveError) as caught:
        archives.read_members(data, limits=archives.Limits(total=2 * MiB, ratio=10_000))
    assert caught.value.kind == archives.TOO_LARGE and "trên 2 MB" in caught.value.message
    assert archives.read_members(data, limits=archives.Limits(ratio=10_000)) == {
        "word/document.xml": text
    }


def test_the_total_counts_every_member():
    part = b"x" * (600 * 1024)
    data = zipbomb.build([zipbomb.honest(f"m{i}.xml", part, zipbomb.STORED) for i in range(4)])
    with pytest.raises(archives.ArchiveError) as caught:
        archives.SafeZip(data, archives.Limits(total=2 * MiB)).scan()
    assert caught.value.kind == archives.TOO_LARGE


@pytest.mark.parametrize(
    "member",
    [
        # declares fewer bytes than it holds, with the CRC of what it declares (a small bomb)
        zipbomb.Member("a.xml", zipbomb.zeros_deflated(1), zipbomb.DEFLATED,
                       zipbomb.zlib.crc32(b"\0" * 10), 10),
        # declares more bytes than it holds
        zipbomb.Member("a.xml", zipbomb.honest("a.xml", b"abc").raw, zipbomb.DEFLATED,
                       zipbomb.zlib.crc32(b"abc"), 4),
        # wrong CRC
        zipbomb.Member("a.xml", b"abc", zipbomb.STORED, 12345, 3),
        # a deflate stream that never ends
        zipbomb.Member("a.xml", zipbomb.zeros_deflated(1)[:500], zipbomb.DEFLATED, 0, MiB),
    ],
    ids=["understated", "overstated", "crc", "truncated"],
)
def test_headers_that_lie_mean_a_damaged_file(member):
    data = zipbomb.build([member])
    with pytest.raises(archives.ArchiveError) as caught:
        archives.read_members(data)
    assert caught.value.kind == archives.BROKEN
    assert "bị hỏng" in caught.value.message


def test_encrypted_and_unknown_methods_are_refused():
    locked = zipbomb.honest("a.xml", b"abc", zipbomb.STORED)
    locked.flags = 1
    with pytest.raises(archives.ArchiveError, match="mật khẩu"):
        archives.read_members(zipbomb.build([locked]))
    bzip = zipbomb.honest("a.xml", b"abc", zipbomb.STORED)
    bzip.method = 12
    with pytest.raises(archives.ArchiveError, match="kiểu nén không được hỗ trợ"):
        archives.read_members(zipbomb.build([bzip]))


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not a zip", bytes(range(256)) * 4])
def test_not_a_zip(data):
    with pytest.raises(archives.ArchiveError) as caught:
        archives.SafeZip(data, label="Tệp .docx")
    assert caught.value.kind == archives.BROKEN
    assert caught.value.message == "Tệp .docx bị hỏng hoặc không phải tệp nén hợp lệ."


def test_too_many_members():
    data = zipbomb.build([zipbomb.honest(f"{i}.xml", b"", zipbomb.STORED) for i in range(11)])
    with pytest.raises(archives.ArchiveError, match="quá nhiều tệp"):
        archives.SafeZip(data, archives.Limits(members=10))


def test_real_office_files_read_and_rebuild_the_same():
    word = demo_docx("Báo cáo", ["Đoạn một.", "Đoạn hai có dấu tiếng Việt."])
    excel = demo_xlsx("Bảng", ["Cột"], [["giá trị"]])
    for data in (word, excel):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expected = {i.filename: archive.read(i) for i in archive.infolist()}
        assert archives.read_members(data) == expected
        archives.SafeZip(data).scan()
    rebuilt = archives.rebuild(word)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(rebuilt)).paragraphs]
    assert "Đoạn hai có dấu tiếng Việt." in paragraphs
