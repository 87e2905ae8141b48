"""Whoosh's answers to the query parser: postings walked to the pages a user may see."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence

from whoosh.searching import Searcher

from .lookup import Pair, swapped

CLOCK_EVERY = 64


class WhooshLookup:
    """A :class:`~indexer.lookup.TermLookup` over one searcher and the index documents
    (page numbers of the index) a user may see; ``visible`` None: every page."""

    def __init__(self, searcher: Searcher, visible: Collection[int] | None, check=None) -> None:
        self.searcher = searcher
        self.visible = visible
        self.nothing_visible = visible is not None and not visible
        self._check = check or (lambda: None)
        self._sorted: list[int] | None = None

    def seen(self, pairs: Sequence[Pair]) -> set[Pair]:
        found = set()
        for n, (field, text) in enumerate(pairs):
            if n % CLOCK_EVERY == 0:
                self._check()
            if self._seen(field, text):
                found.add((field, text))
        return found

    def near(self, folded: str, distance: int, limit: int) -> list[str]:
        reader = self.searcher.reader()
        candidates = itertools.chain(
            (t for t in swapped(folded) if self.searcher.doc_frequency("exact", t)),
            reader.terms_within("exact", folded, distance, prefix=1),
        )
        terms: list[str] = []
        tried: set[str] = set()
        for n, term in enumerate(candidates):
            if n % CLOCK_EVERY == 0:
                self._check()
            if term in tried or not self._seen("exact", term):
                continue
            tried.add(term)
            terms.append(term)
            if len(terms) >= limit:
                break
        return terms

    def _visible_sorted(self) -> list[int]:
        if self._sorted is None:
            self._sorted = sorted(self.visible or ())
        return self._sorted

    def _seen(self, field: str, text: str) -> bool:
        """Whether the term is on a page the user may see (never: anywhere in the index)."""
        frequency = self.searcher.doc_frequency(field, text)
        if not frequency:
            return False
        if self.visible is None:
            return True
        matcher = self.searcher.postings(field, text)
        if len(self.visible) < frequency:  # leap through the postings to each visible page
            for target in self._visible_sorted():
                if matcher.id() < target:
                    matcher.skip_to(target)
                if not matcher.is_active():
                    return False
                if matcher.id() == target:
                    return True
            return False
        return any(docnum in self.visible for docnum in matcher.all_ids())
