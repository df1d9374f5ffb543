"""Read zip archives (.docx, .xlsx) that come from users without trusting their headers.

A zip member's sizes are written by whoever made the file. ``zipfile`` trusts the declared
uncompressed size as a limit, but ``ZipExtFile.read()`` inflates a member's whole compressed
stream in one call and only then cuts it to that size: a 1 MB upload whose headers understate a
gigabyte of zeros costs a gigabyte of memory before anything can refuse it. Here every member is
inflated by this module, from its local header, in small chunks, counting what actually comes
out; it stops as soon as a member or all members together pass their limit, or the output grows
more than ``ratio`` times faster than the compressed input (a zip bomb), and finally checks the
CRC-32 and size the headers declared against what was inflated (a file that lies about them is
refused as damaged). Only stored and deflated members exist in Office files; anything else
(encrypted, other methods) is refused.

Every place that opens an uploaded archive goes through here: the report import
(tracker/intake/docx_reading.py hands python-docx a package rebuilt by ``rebuild`` from checked
members only) and the evidence checks (tracker/work/evidence.py).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.core.errors import UserError

MiB = 1024 * 1024
CHUNK = 64 * 1024
RATIO_FLOOR = 1 * MiB  # the ratio is judged once a member has inflated this much
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"

BROKEN = "broken"
TOO_LARGE = "too_large"
BOMB = "ratio"
UNSUPPORTED = "unsupported"


class ArchiveError(UserError):
    """An archive that cannot be read safely; ``message`` is Vietnamese and safe to show, ``kind``
    one of BROKEN, TOO_LARGE, BOMB, UNSUPPORTED."""

    def __init__(self, message: str, kind: str = BROKEN) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Limits:
    member: int = 20 * MiB  # inflated bytes of one member
    total: int = 50 * MiB  # inflated bytes of all members read from one archive
    ratio: int = 200  # inflated bytes per compressed byte, past RATIO_FLOOR
    members: int = 2000  # entries in the archive


def _size(n_bytes: int) -> str:
    if n_bytes >= MiB:
        return f"{n_bytes / MiB:.1f}".removesuffix(".0").replace(".", ",") + " MB"
    return f"{max(1, n_bytes // 1024)} KB"


class SafeZip:
    """A zip held in memory whose members are read only through checked, bounded inflation."""

    def __init__(self, data: bytes, limits: Limits | None = None, label: str = "Tệp nén") -> None:
        self.data = data
        self.limits = limits or Limits()
        self.label = label
        self.inflated = 0  # over every member read so far
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                self.infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                RuntimeError, NotImplementedError, struct.error):
            raise self._broken() from None
        if len(self.infos) > self.limits.members:
            raise ArchiveError(
                f"{label} có quá nhiều tệp bên trong (trên {self.limits.members}), không thể đọc.",
                TOO_LARGE,
            )
        names = [info.filename for info in self.infos]
        if len(set(names)) != len(names):
            raise self._broken()
        self.by_name = {info.filename: info for info in self.infos}

    def _broken(self, detail: str = "") -> ArchiveError:
        return ArchiveError(f"{self.label} bị hỏng hoặc không phải tệp nén hợp lệ{detail}.", BROKEN)

    def names(self) -> list[str]:
        return [info.filename for info in self.infos]

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The member's bytes (KeyError when absent), inflated under the limits."""
        info = self.by_name[name]
        out = bytearray()
        self._inflate(info, out.extend, limit)
        return bytes(out)

    def scan(self) -> None:
        """Inflate every member (discarding the output): the whole archive is within limits."""
        for info in self.infos:
            self._inflate(info, lambda _chunk: None, None)

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        offset = info.header_offset
        header = self.data[offset:offset + _LOCAL_HEADER.size]
        if len(header) != _LOCAL_HEADER.size:
            raise self._broken()
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _LOCAL_SIGNATURE:
            raise self._broken()
        name_length, extra_length = fields[-2], fields[-1]
        return offset + _LOCAL_HEADER.size + name_length + extra_length

    def _inflate(self, info: zipfile.ZipInfo, sink: Callable[[bytes], object],
                 limit: int | None) -> None:
        if info.is_dir():
            return
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{self.label} được đặt mật khẩu, không thể đọc.", UNSUPPORTED)
        member_limit = min(limit or self.limits.member, self.limits.member)
        start = self._data_start(info)
        if info.compress_type == zipfile.ZIP_STORED:
            size, crc = self._stored(info, start, sink, member_limit)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            size, crc = self._deflated(start, sink, member_limit)
        else:
            raise ArchiveError(f"{self.label} dùng kiểu nén không được hỗ trợ.", UNSUPPORTED)
        if size != info.file_size or crc != info.CRC:
            raise self._broken(
                ": kích thước hoặc mã kiểm tra khai báo trong tệp nén không khớp nội dung"
            )

    def _count(self, produced: int, size: int, member_limit: int, consumed: int) -> None:
        self.inflated += produced
        if size > member_limit or self.inflated > self.limits.total:
            shown = member_limit if size > member_limit else self.limits.total
            raise ArchiveError(
                f"{self.label} có nội dung giải nén quá lớn (trên {_size(shown)}), không thể đọc.",
                TOO_LARGE,
            )
        if size > RATIO_FLOOR and size > self.limits.ratio * max(consumed, 1):
            raise ArchiveError(
                f"{self.label} có tỷ lệ nén bất thường (hơn {self.limits.ratio} lần, dấu hiệu "
                "của bom nén), không thể đọc.",
                BOMB,
            )

    def _stored(self, info: zipfile.ZipInfo, start: int, sink: Callable[[bytes], object],
                member_limit: int) -> tuple[int, int]:
        end = start + info.compress_size
        if end > len(self.data):
            raise self._broken()
        size = crc = 0
        for position in range(start, end, CHUNK):
            chunk = self.data[position:min(position + CHUNK, end)]
            size += len(chunk)
            self._count(len(chunk), size, member_limit, size)
            crc = zlib.crc32(chunk, crc)
            sink(chunk)
        return size, crc

    def _deflated(self, start: int, sink: Callable[[bytes], object],
                  member_limit: int) -> tuple[int, int]:
        """Inflate the raw deflate stream at ``start`` until it ends, whatever the headers say."""
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        position = start
        size = crc = 0
        pending = b""
        try:
            while not inflater.eof:
                if not pending:
                    if position >= len(self.data):
                        raise self._broken()  # the stream never ends
                    pending = self.data[position:position + CHUNK]
                    position += len(pending)
                chunk = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                consumed = position - start - len(pending) - len(inflater.unused_data)
                size += len(chunk)
                self._count(len(chunk), size, member_limit, consumed)
                crc = zlib.crc32(chunk, crc)
                sink(chunk)
        except zlib.error:
            raise self._broken() from None
        return size, crc


def read_members(data: bytes, names: Iterable[str] | None = None, *, limits: Limits | None = None,
                 label: str = "Tệp nén") -> dict[str, bytes]:
    """The named members (all when ``names`` is None) that exist, read under the limits."""
    archive = SafeZip(data, limits, label)
    wanted = archive.names() if names is None else [n for n in names if n in archive.by_name]
    return {name: archive.read(name) for name in wanted if not archive.by_name[name].is_dir()}


def rebuild(data: bytes, *, limits: Limits | None = None, label: str = "Tệp nén") -> bytes:
    """A new zip (stored, honest headers) holding every member, each read under the limits: what
    a library such as python-docx may then open without inflating anything unchecked."""
    members = read_members(data, limits=limits, label=label)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()
