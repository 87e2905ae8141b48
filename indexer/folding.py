"""Folding: the one spelling index and queries compare words in.

Lower case, ``ä ö ü`` -> ``a o u``, ``ß`` -> ``ss``, other accents dropped, so
``Strasse`` finds ``Straße`` and ``Gebaude`` finds ``Gebäude``.
"""

from __future__ import annotations

import unicodedata

_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})


def fold(text: str) -> str:
    text = text.lower().translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
