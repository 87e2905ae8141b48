"""German analysis as plain functions from text to tokens.

Whoosh wraps them (``indexer.schema``); a second search backend can reuse them
unchanged.  What they do:

- fold: lower case, ``ä ö ü`` -> ``a o u``, ``ß`` -> ``ss``, other accents dropped,
  so ``Strasse`` finds ``Straße`` and ``Gebaude`` finds ``Gebäude``;
- keep file numbers and parcel numbers whole (``63-BA-2019-0457``, ``112/3``) and
  also index their parts;
- drop German stop words and stem with the Snowball German stemmer, so
  ``Genehmigungen`` finds ``Genehmigung``;
- split compounds into their parts at the same position (``Baugenehmigung`` ->
  ``bau`` + ``genehmigung``; ``Dachgeschoss`` -> ``dach`` + ``geschoss``), so a
  search for a part finds the compound.  Only indexing splits; a query for the
  whole compound matches the whole compound.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from whoosh.lang import stemmer_for_language, stopwords_for_language

from .lexicon_de import WORDS

TOKEN = re.compile(r"\w+(?:[-/.]\w+)*")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})
_LINKS = ("", "s", "es", "n", "en", "e")
_INFLECTIONS = ("", "e", "en", "n", "s", "es", "er", "ern")
MIN_PART = 3
MIN_TAIL = 4
MIN_COMPOUND = 7

_stem = functools.lru_cache(maxsize=200_000)(stemmer_for_language("de"))


def fold(text: str) -> str:
    text = text.lower().translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOPWORDS = frozenset(fold(w) for w in stopwords_for_language("de"))


def stem(word: str) -> str:
    return _stem(word)


@functools.lru_cache(maxsize=100_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a folded word, or () if it is not a compound we can read."""
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return ()
    parts = _known_parts(word, 0)
    if parts and len(parts) > 1:
        return tuple(parts)
    for cut in range(MIN_PART, len(word) - MIN_TAIL + 1):  # unknown head + known tail
        tail = _known_parts(word, cut)
        if tail and len(tail) == 1 and len(tail[0]) >= MIN_TAIL:
            return (word[:cut], tail[0])
    return ()


def _known_parts(word: str, start: int) -> list[str] | None:
    """Longest-first reading of word[start:] as lexicon parts with linking elements."""
    rest = word[start:]
    for end in range(len(rest), MIN_PART - 1, -1):
        part = rest[:end]
        if part not in WORDS:
            continue
        after = rest[end:]
        if after in _INFLECTIONS:
            return [part]
        for link in _LINKS:
            if link and not after.startswith(link):
                continue
            tail = _known_parts(word, start + end + len(link))
            if tail:
                return [part, *tail]
    return None


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
    whole = stem(word)
    parts = [stem(p) for p in split_compound(word)]
    return (whole, *[p for p in parts if p != whole])


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
    """The stemmed form of one query word (never split), or None for a stop word."""
    folded = fold(word)
    if not folded.isalpha():
        return folded
    if folded in STOPWORDS:
        return None
    return stem(folded)
