"""Which words of a page a search matched: for snippets and for hit boxes on the page image.

A query matches stemmed terms (with compound parts) in the text and title
fields and folded spellings in the unstemmed twin field (exact words and the
fuzzy expansions the query chose among what the user may see).  A word of a
page is a hit when its own analysis meets either set: "Baugenehmigungen"
for "Genehmigung", "Fensterbrüstung" for "Brüstung", "Baugenehmigunq" for a
fuzzy "Baugenehmigung".
"""

from __future__ import annotations

from whoosh import query as q

from .results import Wanted

STEMMED_FIELDS = ("text", "title")
EXACT_FIELDS = ("exact",)


def wanted_of(query: q.Query) -> Wanted:
    stemmed, exact = set(), set()
    for name, text in query.iter_all_terms():
        term = text.decode() if isinstance(text, bytes) else text
        if name in STEMMED_FIELDS:
            stemmed.add(term)
        elif name in EXACT_FIELDS:
            exact.add(term)
    return Wanted(frozenset(stemmed), frozenset(exact))
