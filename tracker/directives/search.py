"""Accent-insensitive search text: "Phường 9" and "phuong 9" find the same directives."""

from __future__ import annotations

import unicodedata

from unidecode import unidecode


def fold(text: str | None) -> str:
    """Lower-case ASCII fold of Vietnamese text (đ -> d, ư -> u ...)."""
    return unidecode(unicodedata.normalize("NFC", text or "")).lower()


def search_text(*parts: str | None) -> str:
    return " ".join(fold(p) for p in parts if p)
