"""Zip files built by hand, byte by byte, so their headers can say whatever a test needs: a
deflate stream of zeros whose local and central headers understate its size (the attack run's
1.1 MB .docx that took 9.3 s and 2.17 GB), a wrong CRC, an encrypted flag."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

MiB = 1024 * 1024
STORED, DEFLATED = 0, 8

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


@dataclass
class Member:
    name: str
    raw: bytes  # what is stored in the archive (already deflated when method is DEFLATED)
    method: int
    crc: int
    size: int  # the uncompressed size the headers declare
    flags: int = 0


def honest(name: str, content: bytes, method: int = DEFLATED) -> Member:
    if method == DEFLATED:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        raw = packer.compress(content) + packer.flush()
    else:
        raw = content
    return Member(name, raw, method, zlib.crc32(content), len(content))


def zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros (about 1 KB per MiB), built without
    compressing them all: after a full flush the compressor's output for the same block repeats."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(b"\0" * MiB) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(b"\0" * MiB) + packer.flush(zlib.Z_FULL_FLUSH)
    assert again == block
    return block * mib + packer.flush()


def bomb_member(name: str = "word/document.xml", mib: int = 256, declared: int = 4096) -> Member:
    """``mib`` MiB of zeros whose headers declare ``declared`` bytes (with that prefix's CRC)."""
    return Member(name, zeros_deflated(mib), DEFLATED, zlib.crc32(b"\0" * declared), declared)


def build(members: list[Member]) -> bytes:
    """Local headers, data, central directory, end record: both headers carry the same sizes."""
    out = bytearray()
    central = bytearray()
    for member in members:
        name = member.name.encode()
        offset = len(out)
        out += struct.pack(
            "<4s5H3I2H", b"PK\x03\x04", 20, member.flags, member.method, 0, 0x21,
            member.crc, len(member.raw), member.size, len(name), 0,
        )
        out += name + member.raw
        central += struct.pack(
            "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, member.flags, member.method, 0, 0x21,
            member.crc, len(member.raw), member.size, len(name), 0, 0, 0, 0, 0, offset,
        )
        central += name
    start = len(out)
    out += central
    out += struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start, 0
    )
    return bytes(out)


def docx_bomb(mib: int = 256) -> bytes:
    """A .docx whose word/document.xml inflates to ``mib`` MiB while its headers say 4 KB."""
    return build([
        honest("[Content_Types].xml", CONTENT_TYPES),
        honest("_rels/.rels", RELS),
        bomb_member("word/document.xml", mib),
    ])
