"""Units a task's own words assign: "Giao X chủ trì, phối hợp Y, Z", "X chủ trì, phối hợp với Y",
a sentence that opens with a unit ("Trung tâm Y tế thành phố tăng cường ..."), "(Đơn vị chủ trì:
X)", and groups such as "các phường, xã" or "05 phường, xã".

Unit names are read only where the sentence assigns work (after "giao", before "chủ trì", after
"phối hợp", at the start of a sentence), so "bàn giao ... cho Trung tâm Y tế" or "Quyết định số
95/QĐ-UBND" assign nothing. Wards and communes of the catalogue named anywhere in the text take
part (support), as do groups of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.intake.text import fold
from tracker.intake.unit_names import (
    DEPARTMENT_KIND,
    HEADS,
    WARD_HEADS,
    WARD_KIND,
    Catalogue,
    UnitRef,
    name_key,
)

LEAD = "lead"
SUPPORT = "support"
MAX_NAME_WORDS = 20


@dataclass(frozen=True)
class GroupMention:
    """"các phường, xã" (count None: all of them) or "05 phường, xã" (count 5: some)."""

    kind: str
    label: str
    count: int | None
    heads: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Mention:
    name: str  # as written
    unit: UnitRef | None = None
    group: GroupMention | None = None


@dataclass
class TextUnits:
    leads: list[Mention]
    supports: list[Mention]

    @property
    def explicit_lead(self) -> bool:
        return bool(self.leads)


# Lower-case words (folded) that end a unit name: the verb or preposition after it.
_STOP_TEXT = (
    "là có được đã đang sẽ cần phải để nhằm theo trong trên tại về của với cho từ đến trước "
    "sau khi nếu các những cùng thì nắm sớm lập trình cấp mở thu làm tiếp gửi giúp mọi từng "
    "kịp thường như chủ phối tổ thực tham triển tăng rà kiểm hướng đẩy tập khẩn quyết vận "
    "tuyên nghiên bố hoàn giải xử đôn duy nâng phê bảo đảm phát chuẩn thống tổng điều truy "
    "ngăn chịu sắp hỗ chăm tiến theo dõi chỉ khắc sửa giám cập bàn vận quản"
)
_STOP_WORDS = frozenset(_STOP_TEXT.split())
# Nouns whose second word is also a verb: "công trình" is not "trình" (submit).
_COMPOUNDS = {("công", "trình"), ("chương", "trình"), ("quy", "trình"), ("lộ", "trình"),
              ("kế", "hoạch"), ("nông", "thôn"), ("bảo", "hiểm"), ("phát", "triển")}
# Lower-case words that continue a name although they are in _STOP_WORDS.
_NAME_WORDS_AFTER = {("thanh", "pho"), ("khu", "vuc")}
_LEVEL_STARTS = {("thanh", "pho"), ("tinh",), ("huyen",), ("thi", "xa"), ("khu", "vuc"), ("xa",),
                 ("phuong",)}
_CLAUSE_BREAK = re.compile(r"[;!?()]|\.(?=\s|$)|:(?=\s)")
_WORD = re.compile(r"[^\W_]+|[-–&/]|[^\s\w]")
_LEAD_INTRO = re.compile(
    r"\b(?:giao(?:\s+cho)?|chi dao|yeu cau|(?:don vi|co quan)\s+chu tri(?:\s+thuc hien)?\s*:"
    r"|chu tri\s*:)\s*"
)
_SUPPORT_INTRO = re.compile(
    r"\b(?:phoi hop(?:\s+chat che)?(?:\s+(?:voi|cung))?(?:\s+cac)?(?=\s+[^\s])"
    r"|voi su phoi hop cua|(?:don vi|co quan)\s+phoi hop\s*:)\s*"
)
_CHU_TRI = re.compile(r"^\s*,?\s*(?:la\s+(?:don vi|co quan)\s+|lam dau moi\s+)?chu tri\b")
_SEPARATOR = re.compile(r"^\s*(?:,|;|va\b|&|cung\b|voi\b)\s*")
_WARD_WORD = r"(?:phuong|xa(?!\s+hoi)|thi tran|dac khu)"
_WARD_GROUP = re.compile(
    r"(?<![a-z0-9])(?:(?:uy ban nhan dan|ubnd)\s+)?"
    r"(?P<q>cac|nhung|tat ca cac|toan bo|(?P<n>[0-9]{1,3}))\s+"
    rf"(?P<w>{_WARD_WORD}(?:\s*(?:,|-|/|va)\s*{_WARD_WORD})*)(?![a-z0-9])"
)
_DEPT_WORD = r"(?:so|ban|nganh|phong|doan the)"
_DEPT_GROUP = re.compile(
    r"(?<![a-z0-9])(?P<q>cac)\s+"
    rf"(?P<w>{_DEPT_WORD}(?:\s*(?:,|-|va)\s*{_DEPT_WORD})*)"
    r"(?:\s+(?:chuyen mon|tinh|thanh pho|tp|xa|phuong))*(?![a-z0-9])(?!\s+lien quan)"
)


def read_units(text: str, catalogue: Catalogue) -> TextUnits:
    """The lead and support units the text itself names, in the order it names them."""
    folded = fold(text)
    leads: list[Mention] = []
    supports: list[Mention] = []
    openers: list[Mention] = []
    start = 0
    for match in [*_CLAUSE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        _read_clause(text, folded, start, end, catalogue, leads, supports, openers)
        start = match.end() if match else len(text)
    if not leads and openers:
        leads.append(openers[0])
        supports[:0] = openers[1:]
    elif openers:
        supports[:0] = openers
    named = {id(m) for m in leads + supports}
    for mention in _wards_anywhere(text, folded, catalogue) + _groups_anywhere(text, folded):
        if id(mention) not in named and not _same(mention, leads + supports):
            supports.append(mention)
    leads = _unique(leads)
    supports = [m for m in _unique(supports) if not _same(m, leads)]
    return TextUnits(leads, supports)


def _read_clause(text: str, folded: str, start: int, end: int, catalogue: Catalogue,
                 leads: list[Mention], supports: list[Mention], openers: list[Mention]) -> None:
    clause = folded[start:end]
    # "Giao X chủ trì", "Chủ trì: X"
    for intro in _LEAD_INTRO.finditer(clause):
        units, after = _unit_list(text, folded, start + intro.end(), end, catalogue)
        leads.extend(units)
    # "X chủ trì, phối hợp Y" or a sentence that opens with a unit
    offset = start + len(clause) - len(clause.lstrip(" -–+•*\"“"))
    if not _LEAD_INTRO.match(folded[offset:end]):
        units, after = _unit_list(text, folded, offset, end, catalogue)
        if units:
            if _CHU_TRI.match(folded[after:end]):
                leads.extend(units)
            else:
                openers.extend(units)
    for intro in _SUPPORT_INTRO.finditer(clause):
        units, _ = _unit_list(text, folded, start + intro.end(), end, catalogue)
        supports.extend(units)


def _unit_list(text: str, folded: str, pos: int, end: int,
               catalogue: Catalogue) -> tuple[list[Mention], int]:
    units: list[Mention] = []
    while pos < end:
        while pos < end and text[pos].isspace():
            pos += 1
        found = _unit_at(text, folded, pos, end, catalogue)
        if found is None:
            break
        mention, pos = found
        units.append(mention)
        separator = _SEPARATOR.match(folded[pos:end])
        if not separator or _unit_at(text, folded, pos + separator.end(), end, catalogue) is None:
            break
        pos += separator.end()
    return units, pos


def _unit_at(text: str, folded: str, pos: int, end: int,
             catalogue: Catalogue) -> tuple[Mention, int] | None:
    group = _group_at(text, folded, pos, end)
    if group is not None:
        return group
    words = [(m.start() + pos, m.end() + pos, m.group())
             for m in _WORD.finditer(text[pos:end])][: MAX_NAME_WORDS + 4]
    if not words:
        return None
    folded_words = [fold(word) for _, _, word in words]
    head = _head(words, folded_words)
    if head is None:
        return None
    last = _last_name_word(words, folded_words, len(head))
    name_end = words[last][1]
    name = text[pos:name_end].strip(" -–&/,")
    unit = _match_prefix(name, catalogue)
    if unit is not None and unit[1] < len(name):
        name = name[: unit[1]].rstrip(" -–&/,")
        name_end = pos + len(name)
    return Mention(name, unit[0] if unit else None), name_end


def _head(words: list[tuple[int, int, str]], folded_words: list[str]) -> tuple[str, ...] | None:
    """The unit-kind words a name opens with ("Phòng", "Trung tâm", "UBND"), when they open one.

    "Phòng Y tế" and "UBND các xã" name units; "phòng chống dịch" does not.
    """
    head = next((h for h in (*HEADS, ("ubnd",)) if tuple(folded_words[: len(h)]) == h), None)
    if head is None:
        return None
    first = words[0][2]
    if not first[:1].isupper() and head not in WARD_HEADS:
        return None
    after = words[len(head)][2] if len(words) > len(head) else ""
    named_head = any(word[:1].isupper() for _, _, word in words[1 : len(head)])  # "Ban Quản lý"
    if named_head or after[:1].isupper() or after[:1].isdigit():
        return head
    following = tuple(folded_words[len(head) : len(head) + 2])
    committee = head in (("ubnd",), ("uy", "ban", "nhan", "dan"))
    if following[:1] in _LEVEL_STARTS or following in _LEVEL_STARTS:
        return head
    if committee and (following[:1] in WARD_HEADS or following in WARD_HEADS):
        return head
    return None


def _last_name_word(words: list[tuple[int, int, str]], folded_words: list[str],
                    head_len: int) -> int:
    """Index of the last word of the unit name that starts at words[0]."""
    last = head_len
    index = head_len
    while index < len(words) and index < MAX_NAME_WORDS:
        word = words[index][2]
        if not re.match(r"[^\W_]", word):
            joins = index + 1 < len(words) and re.match(r"[^\W_]", words[index + 1][2])
            if word in "-–&/" and joins:
                index += 1
                continue
            break
        if _ends_name(words, folded_words, index, head_len):
            break
        last = index
        index += 1
    while last > head_len and folded_words[last] in ("va", "&", "-"):
        last -= 1
    return last


def _starts_unit(words: list[str]) -> bool:
    """Whether a unit name starts with these words; "xã hội" ("Lao động - Thương binh và Xã
    hội") is a word, not a commune."""
    if words[:2] == ["xa", "hoi"]:
        return False
    return any(tuple(words[: len(h)]) == h for h in HEADS)


def _ends_name(words: list[tuple[int, int, str]], folded_words: list[str], index: int,
               head_len: int) -> bool:
    """Whether the word at ``index`` (a word, not punctuation) is past the name's end."""
    word = words[index][2]
    low = folded_words[index]
    if not (word[:1].islower() or word.isdigit()):
        # "Phòng Kinh tế và Phòng Y tế": a second unit starts after "và"
        return index > head_len and _starts_unit(folded_words[index:]) and folded_words[
            index - 1
        ] in ("va", "&")
    pair = tuple(folded_words[index : index + 2])
    compound = (words[index - 1][2].lower(), word.lower()) in _COMPOUNDS
    stop = word.lower() in _STOP_WORDS and pair not in _NAME_WORDS_AFTER and not compound
    if stop and index > head_len:
        return True
    if low == "va" and folded_words[index - 1] != "hdnd":  # "HĐND và UBND" is one
        nxt = folded_words[index + 1 : index + 4]
        following = words[index + 1][2] if index + 1 < len(words) else ""
        return _starts_unit(nxt) or nxt[:1] == ["ubnd"] or (
            not following or following.lower() in _STOP_WORDS
        )
    return False


def _match_prefix(name: str, catalogue: Catalogue) -> tuple[UnitRef, int] | None:
    """The catalogue unit for the name, or for its longest leading part that has one."""
    unit = catalogue.match(name)
    if unit is not None:
        return unit, len(name)
    cuts = [m.start() for m in re.finditer(r"\s+", name)]
    for cut in reversed(cuts):
        unit = catalogue.match(name[:cut])
        if unit is not None:
            return unit, cut
    return None


def _group_at(text: str, folded: str, pos: int, end: int) -> tuple[Mention, int] | None:
    for kind, pattern in ((WARD_KIND, _WARD_GROUP), (DEPARTMENT_KIND, _DEPT_GROUP)):
        match = pattern.match(folded, pos, end)
        if match and kind == DEPARTMENT_KIND and re.match(
            rf"\s*(?:(?:,|-|va)\s*{_DEPT_WORD}\b|\s*lien quan\b)", folded[match.end() : end]
        ):
            return None  # "các sở, ngành liên quan": the relevant ones, not all of them
        if match:
            return _group_mention(text, kind, match), match.end()
    return None


def _group_mention(text: str, kind: str, match: re.Match[str]) -> Mention:
    label = text[match.start() : match.end()]
    count = int(match.group("n")) if kind == WARD_KIND and match.group("n") else None
    heads: tuple[tuple[str, ...], ...] = ()
    if kind == WARD_KIND:
        words = match.group("w")
        heads = tuple(h for h in WARD_HEADS if re.search(rf"\b{' '.join(h)}\b", words))
    return Mention(label, group=GroupMention(kind, label, count, heads))


def _groups_anywhere(text: str, folded: str) -> list[Mention]:
    return [_group_mention(text, WARD_KIND, m) for m in _WARD_GROUP.finditer(folded)]


def _wards_anywhere(text: str, folded: str, catalogue: Catalogue) -> list[Mention]:
    found: list[tuple[int, Mention]] = []
    for unit in catalogue.units:
        if unit.kind != WARD_KIND:
            continue
        key = name_key(unit.name)
        if key is None or not key.rest:
            continue
        body = r"[^a-z0-9]{1,3}".join(re.escape(w) for w in key.words)
        match = re.search(rf"(?<![a-z0-9]){body}(?![a-z0-9])", folded)
        if match:
            found.append((match.start(), Mention(text[match.start() : match.end()], unit)))
    return [mention for _, mention in sorted(found, key=lambda pair: pair[0])]


def _identity(mention: Mention) -> tuple[str, str]:
    if mention.unit is not None:
        return ("unit", mention.unit.code)
    if mention.group is not None:
        return ("group", f"{mention.group.kind}:{mention.group.count}")
    return ("name", " ".join((name_key(mention.name) or name_key("x")).words))  # type: ignore[union-attr]


def _same(mention: Mention, others: list[Mention]) -> bool:
    return _identity(mention) in {_identity(other) for other in others}


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen: set[tuple[str, str]] = set()
    out = []
    for mention in mentions:
        identity = _identity(mention)
        if identity not in seen:
            seen.add(identity)
            out.append(mention)
    return out


def unit_cell(cell: str, catalogue: Catalogue) -> list[Mention]:
    """The units a table cell lists ("Phòng Kinh tế<br>UBND các xã", "Công an TP; BCHQS TP")."""
    out: list[Mention] = []
    for line in re.split(r"<br>|[;\n]", cell):
        rest = line
        while rest.strip(" ,"):
            rest = re.sub(r"^[\s,\-–+•*]+", "", rest)
            folded = fold(rest)
            group = _group_at(rest, folded, 0, len(rest))
            if group is not None:
                out.append(group[0])
                rest = rest[group[1] :]
                continue
            part, _, rest = rest.partition(",")
            name = re.sub(r"[\s.;:]+$", "", part)
            if name:
                out.append(Mention(name, catalogue.match(name)))
    return _unique(out)
