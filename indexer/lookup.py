"""What the query parser asks an index about words, the same for every backend.

The parser decides what a word means from the words on pages the user may see
(never from the whole index: a word in files the user may not see must not
change the query, its results, nor the "approximate" flag).  A backend answers
through a :class:`TermLookup` bound to one search's scope; questions come in
batches so that a server backend answers each in one round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

Pair = tuple[str, str]
"""(field name, indexed term)."""


class TermLookup(Protocol):
    nothing_visible: bool
    """The scope sees no page at all (no fuzzy search is worth trying)."""

    def seen(self, pairs: Sequence[Pair]) -> set[Pair]:
        """Which of ``pairs`` stand on some page the scope may see."""

    def near(self, folded: str, distance: int, limit: int) -> list[str]:
        """Up to ``limit`` spellings of the exact field within ``distance`` edits of
        ``folded`` (first letter kept) or with two neighbouring letters swapped, each
        on a page the scope may see; in the order the index finds them."""


def swapped(folded: str) -> Iterator[str]:
    """``folded`` with two neighbouring letters swapped (the first letter kept)."""
    for i in range(1, len(folded) - 1):
        candidate = folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :]
        if candidate != folded:
            yield candidate


def first_seen(lookup: TermLookup, field: str, candidates: Iterable[str], limit: int) -> list[str]:
    """The first ``limit`` of ``candidates`` (deduplicated, in order) seen by the scope."""
    ordered = list(dict.fromkeys(candidates))
    visible = lookup.seen([(field, c) for c in ordered])
    return [c for c in ordered if (field, c) in visible][:limit]
