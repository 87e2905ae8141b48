"""Which words of a page a search matched: for snippets and for hit boxes on the page image.

A query matches stemmed terms (with compound parts) in the text and title
fields and folded spellings in the unstemmed twin field (exact words and the
fuzzy expansions the query chose among what the user may see).  A word of a
page is a hit when its own analysis meets either set: "Baugenehmigungen"
for "Genehmigung", "Fensterbrüstung" for "Brüstung", "Baugenehmigunq" for a
fuzzy "Baugenehmigung".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as q

from .analysis import fold, word_terms

STEMMED_FIELDS = ("text", "title")
EXACT_FIELDS = ("exact",)


@dataclass(frozen=True)
class Wanted:
    stemmed: frozenset[str]
    exact: frozenset[str]
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    """Each word's answer once per query: the pages of one result list repeat most words."""

    def matches(self, word: str) -> bool:
        known = self._seen.get(word)
        if known is None:
            known = self._seen[word] = self._matches(word)
        return known

    def _matches(self, word: str) -> bool:
        if self.stemmed.intersection(word_terms(word)):
            return True
        folded = fold(word)
        return folded in self.exact or any(
            piece in self.exact for piece in folded.replace("/", "-").replace(".", "-").split("-")
        )

    def __bool__(self) -> bool:
        return bool(self.stemmed or self.exact)


def wanted_of(query: q.Query) -> Wanted:
    stemmed, exact = set(), set()
    for name, text in query.iter_all_terms():
        term = text.decode() if isinstance(text, bytes) else text
        if name in STEMMED_FIELDS:
            stemmed.add(term)
        elif name in EXACT_FIELDS:
            exact.add(term)
    return Wanted(frozenset(stemmed), frozenset(exact))
