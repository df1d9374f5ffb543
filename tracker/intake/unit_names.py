"""The unit catalogue as plain data, and matching the names reports write to it.

Reports name units loosely: "Phòng TC-KH", "Phòng Tài chính - Kế hoạch thành phố", "Trung tâm
Y tế TP", "UBND xã Long Đức", "Chi cục Thuế khu vực Trà Vinh - Cầu Kè". A name is reduced to a
key: folded (no diacritics, lower case), abbreviations such as UBND/HĐND/TP expanded, "và"/"&"
dropped, and a trailing level ("thành phố", "tỉnh", "khu vực ...") set aside. Two names match
when their keys are equal, or when one writes the words after the head ("Phòng") as initials
("TC-KH" for "Tài chính - Kế hoạch"). A level written in the text must agree with the
catalogue's ("Công an tỉnh" is not the city's "Công an thành phố").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.intake.text import fold

WARD_KIND = "ward"
DEPARTMENT_KIND = "department"

# Folded abbreviations written in unit names.
_EXPAND = {
    "ubnd": ("uy", "ban", "nhan", "dan"),
    "hdnd": ("hoi", "dong", "nhan", "dan"),
    "tp": ("thanh", "pho"),
    "tx": ("thi", "xa"),
    "bch": ("ban", "chi", "huy"),
    "bchqs": ("ban", "chi", "huy", "quan", "su"),
    "mttq": ("mat", "tran", "to", "quoc"),
    "ubmttq": ("uy", "ban", "mat", "tran", "to", "quoc"),
    "bql": ("ban", "quan", "ly"),
    "tt": ("trung", "tam"),
    "ttyt": ("trung", "tam", "y", "te"),
    "chqs": ("chi", "huy", "quan", "su"),
    "qlda": ("quan", "ly", "du", "an"),
}
# Words that start a level written after a name; everything from there on is the level.
_LEVELS = (("thanh", "pho"), ("tinh",), ("huyen",), ("thi", "xa"), ("khu", "vuc"), ("xa",),
           ("phuong",))
# Head words of unit names, longest first (folded).
HEADS: tuple[tuple[str, ...], ...] = tuple(sorted(
    (tuple(head.split()) for head in (
        "uy ban nhan dan", "van phong", "trung tam", "chi cuc", "ban chi huy", "bo chi huy",
        "ban quan ly", "thanh tra", "cong an", "phong", "so", "ban", "cuc", "doi", "kho bac",
        "bao hiem xa hoi", "hoi", "doan", "lien doan", "mat tran", "uy ban mat tran",
        "chi nhanh", "dien luc", "toa an", "vien kiem sat", "phuong", "xa", "thi tran",
        "dac khu", "lanh dao", "hat kiem lam", "dai", "ban dan toc", "nha van hoa",
        "cong ty", "tong cong ty", "thue", "truong", "bo phan", "ngan hang",
        "bo chi huy quan su", "kho bac nha nuoc",
    )),
    key=len, reverse=True,
))
WARD_HEADS = {("phuong",), ("xa",), ("thi", "tran"), ("dac", "khu")}


@dataclass(frozen=True)
class UnitRef:
    """A unit the parser may propose: its code, name, kind ("department", "ward", ...)."""

    code: str
    name: str
    kind: str = DEPARTMENT_KIND
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class NameKey:
    head: tuple[str, ...]
    rest: tuple[str, ...]
    initials: str  # the rest as initials; abbreviations count as written
    level: str | None
    abbreviated: bool

    @property
    def words(self) -> tuple[str, ...]:
        return self.head + self.rest


def _tokens(name: str) -> list[tuple[str, bool]]:
    """(folded word, written as an abbreviation) pairs; "&" and "và" are dropped."""
    words = re.findall(r"[^\W_]+", name)
    shouting = all(not any(ch.islower() for ch in word) for word in words)
    out: list[tuple[str, bool]] = []
    for word in words:
        folded = fold(word)
        if folded in _EXPAND:
            out.extend((part, False) for part in _EXPAND[folded])
            continue
        if folded == "va":
            continue
        abbreviation = (not shouting and len(word) >= 2 and word.isupper()) or (
            shouting and len(word) >= 2 and len(word) <= 3 and folded not in _COMMON_SHORT
        )
        out.append((folded, abbreviation))
    return out


_COMMON_SHORT = {"so", "xa", "ban", "doi", "hoi", "cuc", "dai", "te", "y", "an", "ly", "su",
                 "tai", "ke", "moi", "lao", "van", "hoa", "cho", "thu", "sau", "kho", "bac"}


def name_key(name: str) -> NameKey | None:
    tokens = _tokens(name)
    words = [word for word, _ in tokens]
    # "UBND phường 7" is the ward.
    if words[:4] == ["uy", "ban", "nhan", "dan"] and len(words) > 4:
        rest = tuple(words[4:6])
        if rest[:1] in (("phuong",), ("xa",)) or rest in (("thi", "tran"), ("dac", "khu")):
            tokens = tokens[4:]
            words = words[4:]
    if not words:
        return None
    head: tuple[str, ...] = ()
    for candidate in HEADS:
        if tuple(words[: len(candidate)]) == candidate:
            head = candidate
            break
    body = tokens[len(head):]
    level = None
    if head not in WARD_HEADS:
        for index in range(len(body)):
            for level_words in _LEVELS:
                written = tuple(w for w, _ in body[index : index + len(level_words)])
                after = body[index + len(level_words)][0] if index + len(level_words) < len(
                    body) else ""
                if level_words == ("xa",) and after == "hoi":
                    continue  # "Xã hội" is a word, not the commune level
                if written == level_words and (index > 0 or head):
                    level = " ".join(level_words)
                    body = body[:index]
                    break
            if level:
                break
    rest = tuple(word for word, _ in body)
    initials = "".join(word if abbreviation else word[:1] for word, abbreviation in body)
    return NameKey(head, rest, initials, level, any(a for _, a in body))


@dataclass
class Catalogue:
    """Units by name key; ``match`` finds the unit a written name means, or None."""

    units: list[UnitRef]
    _keys: list[tuple[NameKey, UnitRef]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for unit in self.units:
            for name in (unit.name, *unit.aliases):
                key = name_key(name)
                if key is not None:
                    self._keys.append((key, unit))
        self._city = any(key.level == "thanh pho" for key, _ in self._keys)

    def by_code(self, code: str) -> UnitRef | None:
        return next((unit for unit in self.units if unit.code == code), None)

    def match(self, name: str) -> UnitRef | None:
        key = name_key(name)
        if key is None or not (key.head and (key.rest or key.level)):
            return None
        for unit_key, unit in self._keys:
            if unit_key.head != key.head or not self._levels_agree(key, unit_key):
                continue
            if unit_key.rest == key.rest:
                return unit
            if (key.abbreviated or unit_key.abbreviated) and len(key.initials) >= 2 and (
                unit_key.initials == key.initials
            ):
                return unit
        return None

    def _levels_agree(self, key: NameKey, unit_key: NameKey) -> bool:
        if key.level is None or unit_key.level is None:
            # "Công an tỉnh" in a city catalogue is the province's police, not a city unit.
            return not (key.level in ("tinh", "huyen") and unit_key.level is None and self._city)
        if key.level == "khu vuc" or unit_key.level == "khu vuc":
            return True
        return key.level == unit_key.level

    def of_kind(self, kind: str, heads: Iterable[tuple[str, ...]] | None = None) -> list[UnitRef]:
        """Units of a kind; with ``heads``, only those whose name starts with one of them."""
        wanted = set(heads) if heads is not None else None
        out = []
        for unit in self.units:
            if unit.kind != kind:
                continue
            key = name_key(unit.name)
            if wanted is not None and (key is None or key.head not in wanted):
                continue
            out.append(unit)
        return out

    def secretariat(self) -> UnitRef | None:
        """The Văn phòng, which triages what nobody else is proposed for."""
        for unit in self.units:
            key = name_key(unit.name)
            if key is not None and key.head == ("van", "phong"):
                return unit
        return None


def demo_catalogue() -> list[UnitRef]:
    """The demo city's units (tracker/units/catalogue.py) as plain data."""
    from tracker.units.catalogue import UNITS

    return [UnitRef(unit.code, unit.name, unit.kind) for unit in UNITS]
