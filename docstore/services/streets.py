"""The city's street list: suggestions while typing an address, and a check that it exists.

The list is the city's (``street_list``, one street per line), never the
archive's addresses: a suggestion must not tell anyone whether the archive
holds a file for a street.  "Venloer Str.", "venloer strasse" and "Venloer
Straße" are the same street.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path


def street_key(name: str) -> str:
    """How two spellings of one street compare equal."""
    text = unicodedata.normalize("NFC", name).casefold().strip()
    text = text.replace("ß", "ss")
    text = re.sub(r"str\.?(?=$|\s|-)", "strasse", text)
    text = re.sub(r"[\s\-.]+", " ", text)
    return text.strip()


class StreetList:
    def __init__(self, names: list[str]) -> None:
        self.names = sorted(set(names), key=street_key)
        self._keys = {street_key(n): n for n in self.names}

    def known(self, name: str) -> bool:
        return street_key(name) in self._keys

    def suggest(self, typed: str, limit: int = 10) -> list[str]:
        """Streets that begin with what was typed, then those that contain it."""
        key = street_key(typed)
        if len(key) < 2:
            return []
        starts = [n for k, n in self._keys.items() if k.startswith(key)]
        inside = [n for k, n in self._keys.items() if key in k and not k.startswith(key)]
        return (sorted(starts) + sorted(inside))[:limit]


def street_list(path: Path) -> StreetList | None:
    """The list in ``path`` (re-read when the file changes), or None when there is none."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return _load(str(path), stamp)


@lru_cache(maxsize=4)
def _load(path: str, stamp: int) -> StreetList:
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    return StreetList([line.strip() for line in lines if line.strip() and not line.startswith("#")])
