"""A section's stored text as blocks and back, and regenerating a section without losing edits.

The stored scheme (what the editor's JavaScript writes and what the textarea fallback shows):
one paragraph per line; a footnote is a marker ``[^n]`` in the text plus a line
``[^n]: footnote text`` anywhere in the same section (``n`` is any label without spaces); a
marker without a matching line stays as typed, a footnote line nobody refers to is left out.
The editor escapes a "[^" people type with an invisible word joiner, removed when read.

Regenerating (``merge``) works paragraph by paragraph: every generated paragraph carries a key
(the directive, the field, the part it speaks of); paragraphs the person left as generated take
the new wording, paragraphs they rewrote or added stay where they put them, paragraphs they
deleted stay deleted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from tracker.reports.prose import Block

_FOOTNOTE_DEF = re.compile(r"^\s*\[\^([^\]\s]+)\]:\s*(.*)$")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")


def normalize_text(text: str | None) -> str:
    """Section text as compared and stored: "\\n" newlines, no trailing blanks."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


ESCAPE = "\u2060"  # the editor writes a typed "[^" as "[\u2060^" so it never becomes a footnote


def _unescaped(block: Block) -> Block:
    if ESCAPE not in block.text:
        return block
    anchors = tuple(a - block.text[:a].count(ESCAPE) for a in block.anchors)
    return Block(block.text.replace(ESCAPE, ""), block.notes, anchors, block.key)


def parse_blocks(text: str | None) -> list[Block]:
    """The stored text as blocks (no keys): plain text, footnotes and their anchors."""
    definitions: dict[str, str] = {}
    body: list[str] = []
    for line in normalize_text(text).split("\n"):
        match = _FOOTNOTE_DEF.match(line)
        if match:
            definitions[match.group(1)] = match.group(2).strip()
        elif line.strip():
            body.append(line.strip())
    blocks = []
    for line in body:
        plain, anchors, notes, last = "", [], [], 0
        for match in _FOOTNOTE_REF.finditer(line):
            label = match.group(1)
            if label not in definitions:
                continue
            plain += line[last : match.start()]
            anchors.append(len(plain))
            notes.append(definitions[label])
            last = match.end()
        plain += line[last:]
        blocks.append(_unescaped(Block(plain, tuple(notes), tuple(anchors))))
    return blocks


def _marked(block: Block, first: int) -> str:
    """The block's text with ``[^n]`` markers numbered from ``first``."""
    out, last = "", 0
    for offset, (anchor, _) in enumerate(zip(block.anchors, block.notes, strict=False)):
        out += block.text[last:anchor] + f"[^{first + offset}]"
        last = anchor
    out += block.text[last:]
    extra = len(block.notes) - len(block.anchors)
    for offset in range(extra):  # notes without an anchor go at the end
        out += f"[^{first + len(block.anchors) + offset}]"
    return out


def serialize(blocks: Sequence[Block]) -> str:
    """Blocks as stored text: one line each, footnote definitions after them."""
    lines, definitions, number = [], [], 1
    for block in blocks:
        lines.append(_marked(block, number))
        for note in block.notes:
            definitions.append(f"[^{number}]: {' '.join(note.split())}")
            number += 1
    return "\n".join(lines + definitions)


def signature(block: Block) -> str:
    """What a paragraph says, footnotes included, whatever its labels: for comparisons."""
    return _marked(block, 1) + "".join(f"\n{note}" for note in block.notes)


def keys_of(blocks: Sequence[Block]) -> list[str]:
    return [block.key for block in blocks]


def merge(
    base_text: str, base_keys: Sequence[str] | None, mine_text: str, new: Sequence[Block]
) -> list[Block]:
    """The section generated anew (``new``), keeping what the person changed since the last
    generation (``base_text`` with its ``base_keys``) in their current text (``mine_text``)."""
    mine = parse_blocks(mine_text)
    base = parse_blocks(base_text)
    if [signature(b) for b in mine] == [signature(b) for b in base]:
        return list(new)
    if not base_keys or len(base_keys) != len(base):
        return mine  # no keys to follow (a report drafted before keys were kept): keep it all
    base = [Block(b.text, b.notes, b.anchors, key) for b, key in zip(base, base_keys,
                                                                        strict=True)]
    matcher = difflib.SequenceMatcher(
        None, [signature(b) for b in base], [signature(b) for b in mine], autojunk=False
    )
    regenerate: set[str] = set()
    replaced: dict[str, list[Block]] = {}
    after: dict[str | None, list[Block]] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            regenerate.update(b.key for b in base[i1:i2])
        elif tag == "replace":
            replaced.setdefault(base[i1].key, []).extend(mine[j1:j2])
        elif tag == "insert":
            anchor = base[i1 - 1].key if i1 > 0 else None
            after.setdefault(anchor, []).extend(mine[j1:j2])
    known = {b.key for b in base}
    out = list(after.get(None, []))
    new_keys = set()
    for block in new:
        new_keys.add(block.key)
        if block.key in replaced:
            out += replaced[block.key]
        elif block.key in regenerate or block.key not in known:
            out.append(block)
        out += after.get(block.key, [])
    for key, blocks in [*replaced.items(), *after.items()]:
        if key is not None and key not in new_keys:
            out += blocks  # the person's own words about something no longer generated
    return out
