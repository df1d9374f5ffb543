"""Small text helpers shared by the intake modules: folding, cleaning, headings, Roman numbers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

SPACES = re.compile(r"[\s\u00a0\u200b\u2009\u202f]+")
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RUN = re.compile(f"[{SUPERSCRIPTS}]+")
_UNIT_BEFORE_POWER = re.compile(r"(?<![^\W\d_])(?:k|c|d|h)?m$")  # m², km³ stay as they are
MD_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
TERMINAL = re.compile(r"[.!?…][\"”’')\]*_]*$")
ABBREVIATIONS = {"tp", "tt", "tx", "q", "p", "ts", "ths", "pgs", "gs", "bs", "ks", "ng", "v.v"}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = unidecode(char)
    return (folded[:1] or " ").lower()


def fold(text: str) -> str:
    """Lowercase ASCII form used for matching, one character per input character.

    "Phường – Xã" → "phuong - xa". Keeping the length lets a match on the folded text be cut
    out of the original text at the same offsets.
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(char.lower() if char.isascii() else _fold_char(char) for char in text)


def heading_key(line: str) -> str:
    """A line reduced for heading tests: no Markdown markers, folded, single spaces."""
    stripped = re.sub(r"^[\s>#*_]+|[\s*_:.]+$", "", line)
    return SPACES.sub(" ", fold(stripped)).strip()


def is_shouting(line: str) -> bool:
    """Every letter upper-case (a heading such as "III. PHƯƠNG HƯỚNG, NHIỆM VỤ ...")."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 4 and not any(ch.islower() for ch in letters)


def is_bold_line(line: str) -> bool:
    """A whole line in Markdown bold ("**Lĩnh vực kinh tế**") or a Markdown heading."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return True
    return bool(re.match(r"^(\*\*|__)[^*_].*(\*\*|__):?$", stripped))


def strip_superscripts(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 6) : match.start()]
        if match.group() in ("²", "³") and _UNIT_BEFORE_POWER.search(before):
            return match.group()
        return ""

    return _SUPERSCRIPT_RUN.sub(replace, text)


def clean(text: str) -> str:
    """Directive text as stored: no footnote markers, no Markdown emphasis, single spaces."""
    text = MD_FOOTNOTE_REF.sub("", text)
    text = strip_superscripts(text)
    text = re.sub(r"(\*\*|__)", "", text)
    text = re.sub(r"\\([.)\-*_#])", r"\1", text)  # Markdown escapes
    text = SPACES.sub(" ", text).strip()
    text = re.sub(r"\s+([,.;:])", r"\1", text)  # space left where a marker was removed
    return unicodedata.normalize("NFC", text)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def starts_lowercase(line: str) -> bool:
    for char in line:
        if char.isalpha():
            return char.islower()
        if char.isdigit():
            return False
    return False


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
ROMAN_NUMERALS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8,
                  "IX": 9, "X": 10}


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def format_size(n_bytes: int) -> str:
    mib = 1024 * 1024
    if n_bytes >= mib:
        return f"{n_bytes / mib:.1f}".removesuffix(".0").replace(".", ",") + " MB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.1f}".removesuffix(".0").replace(".", ",") + " KB"
    return f"{n_bytes} byte"
