"""Words of the trade that mean the same, and the document kinds they name.

Read from ``data/synonyms_de.txt``: a search for ``Bauschein`` also finds
``Baugenehmigung``, ``Statik`` also every document of the kind Statik, ranked
below pages that hold the word itself.  A group's words are matched by their
stems (``indexer.analysis.query_term``), so ``Bauscheine`` is ``Bauschein``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from .analysis import query_term

_FILE = Path(__file__).with_name("data") / "synonyms_de.txt"


@dataclass(frozen=True)
class Group:
    kind: str | None
    """The document kind the group's words name, if they name one."""
    words: tuple[str, ...]
    """The group's words as written (a word with a space is a phrase)."""


def parse(text: str) -> list[Group]:
    groups = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind = None
        if line.startswith("kind="):
            head, _, line = line.partition(":")
            kind = head.removeprefix("kind=").strip()
        words = tuple(w.strip() for w in line.split(",") if w.strip())
        groups.append(Group(kind, words))
    return groups


@functools.cache
def _by_stem() -> dict[str, Group]:
    found: dict[str, Group] = {}
    for group in parse(_FILE.read_text(encoding="utf-8")):
        for word in group.words:
            stem = query_term(word) if " " not in word else None
            if stem:
                found.setdefault(stem, group)
    return found


def group_of(word: str) -> Group | None:
    """The group a query word belongs to (by its stem), or None."""
    stem = query_term(word)
    return _by_stem().get(stem) if stem else None
