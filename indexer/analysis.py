"""German analysis as plain functions from text to tokens, used by every search backend.

Whoosh wraps them (``indexer.schema``); another backend reuses them unchanged.  They do
not depend on Whoosh: the stemmer is Snowball's German (``snowballstemmer``, in C when
PyStemmer is installed), the stop words Snowball's list (``data/stopwords_de.txt``).

- fold (``indexer.folding``): lower case, ``ä ö ü`` -> ``a o u``, ``ß`` -> ``ss``;
- keep file numbers and parcel numbers whole (``63-BA-2019-0457``, ``112/3``) and also
  index their parts;
- drop stop words and stem, so ``Genehmigungen`` finds ``Genehmigung``;
- read compounds into their parts at the same position with the German word list
  (``indexer.compounds``): ``Fensterbrüstung`` -> fenster + brüstung, so a search for a
  part finds the compound; not ``Wieland`` -> wie + land;
- give an old spelling its modern form at the same position (``indexer.spelling``):
  ``Thür`` is also ``tür``, ``Centralheizung`` also ``zentral`` + ``heizung``.

Only indexing splits; a query word is stemmed whole (in its modern spelling).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from .compounds import compound_terms, split_compound
from .folding import fold
from .spelling import modern
from .stemming import stem
from .stopwords import STOPWORDS

__all__ = [
    "STOPWORDS", "TOKEN", "exact_terms", "fold", "index_terms", "query_term", "split_compound",
    "stem", "word_terms",
]  # fmt: skip

TOKEN = re.compile(r"\w+(?:[-/.]\w+)*")


def _pieces(raw: str) -> list[str]:
    """Parts of a token joined by - / . (file numbers, parcels, hyphenated words)."""
    return [p for p in re.split(r"[-/.]", raw) if p]


@functools.lru_cache(maxsize=200_000)
def _index_word(raw: str) -> tuple[str, ...]:
    """The terms one word gives the stemmed field (cached: words repeat a lot)."""
    word = fold(raw)
    if not word.isalpha():  # numbers, file numbers, parcels, hyphenated words
        terms = [word]
        pieces = _pieces(word)
        if len(pieces) > 1:
            terms += [stem(p) if p.isalpha() else p for p in pieces if p not in STOPWORDS]
        return tuple(terms)
    if word in STOPWORDS:
        return ()
    terms = [stem(word), *(stem(p) for p in compound_terms(word))]
    today = modern(word)
    if today is not None:
        terms += [stem(today), *(stem(p) for p in compound_terms(today))]
    return tuple(dict.fromkeys(terms))


def word_terms(raw: str) -> tuple[str, ...]:
    """The stemmed-field terms of one word as it appears in a text (for highlighting)."""
    return _index_word(raw)


def index_terms(text: str) -> Iterator[tuple[str, int, int, int]]:
    """(term, position, start, end) for the stemmed field; the fast path for Whoosh."""
    for position, match in enumerate(TOKEN.finditer(text)):
        start, end = match.span()
        for term in _index_word(match.group()):
            yield term, position, start, end


def exact_terms(text: str) -> Iterator[tuple[str, int, int, int]]:
    """(term, position, start, end) for the unstemmed twin field (exact and fuzzy)."""
    for position, match in enumerate(TOKEN.finditer(text)):
        start, end = match.span()
        word = fold(match.group())
        yield word, position, start, end
        pieces = _pieces(word)
        if len(pieces) > 1:
            for piece in pieces:
                yield piece, position, start, end


def query_term(word: str) -> str | None:
    """The stemmed form of one query word (never split), or None for a stop word.

    An old spelling is searched in its modern form, which pages in either spelling
    carry (``Thür`` finds Tür and Thür)."""
    folded = fold(word)
    if not folded.isalpha():
        return folded
    if folded in STOPWORDS:
        return None
    return stem(modern(folded) or folded)
