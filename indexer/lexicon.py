"""The German word list behind compound splitting and old spellings.

Debian's ``wngerman`` package (``/usr/share/dict/ngerman``, from igerman98: about
356,000 word forms, nouns capitalised) tells a part of a compound from a chance
run of letters, and a noun from a verb or an adjective.  It is read once per
process (about 0.4 s, some 30 MB).  Index and queries must read words the same
way, so a missing list is an error that names the package, never a quiet
fallback to fewer parts.  ``BAUAKTE_WORDLIST`` points to another list of the
same form (one word per line, nouns capitalised).

Building files use words the list lacks (Gaube, Carport); ``lexicon_de`` adds them.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from .folding import fold
from .lexicon_de import FIRSTS, NOUNS

DEFAULT_WORDLIST = Path("/usr/share/dict/ngerman")
PACKAGE = "wngerman"


class WordListMissing(RuntimeError):
    """The German word list is not installed (the message says which package to install)."""


@dataclass(frozen=True)
class Lexicon:
    nouns: frozenset[str]
    """Folded forms of capitalised entries (every inflected form the list holds)."""
    others: frozenset[str]
    """Folded forms of lower-case entries: verbs, adjectives, adverbs, function words."""
    stems: frozenset[str]
    """Stems of verbs from their infinitives (``wohnen`` -> ``wohn``), as first parts."""
    lasts: frozenset[str]
    """Lower-case entries that are nouns too (``wand``, ``decke``): _parts_in_compounds."""
    firsts: frozenset[str]
    """Lower-case entries that start compounds (``stahl``, ``beton``)."""

    def knows(self, word: str) -> bool:
        return word in self.nouns or word in self.others


def wordlist_path() -> Path:
    return Path(os.environ.get("BAUAKTE_WORDLIST") or DEFAULT_WORDLIST)


def probe() -> Path:
    """The word list's path; raises WordListMissing naming what to install."""
    path = wordlist_path()
    if not path.is_file():
        raise WordListMissing(
            f"German word list {path} not found: install Debian's '{PACKAGE}' package "
            f"(apt-get install {PACKAGE}) or set BAUAKTE_WORDLIST"
        )
    return path


@functools.cache
def lexicon() -> Lexicon:
    nouns: set[str] = {w + ending for w in NOUNS for ending in ("", "n", "en", "s", "e")}
    others: set[str] = set()
    with probe().open(encoding="utf-8") as lines:
        for line in lines:
            word = line.strip()
            if not word.isalpha() or (word.isupper() and len(word) > 1):  # no acronyms (RAM)
                continue
            (nouns if word[0].isupper() else others).add(fold(word))
    lasts, firsts = _parts_in_compounds(nouns, others)
    return Lexicon(
        frozenset(nouns), frozenset(others), frozenset(_verb_stems(others)),
        frozenset(lasts), frozenset(firsts | FIRSTS),
    )  # fmt: skip


MIN_EVIDENCE = 3


def _parts_in_compounds(nouns: set[str], others: set[str]) -> tuple[set[str], set[str]]:
    """Nouns the list holds only in lower case, found by the compounds they make.

    The list keeps one entry for words that differ only in case, the lower-case one:
    ``Wand`` is there only as ``wand`` (of winden), ``Decke`` as ``decke``, ``Beton`` as
    ``beton``.  A lower-case word that ends at least MIN_EVIDENCE listed compounds after
    a listed noun is a noun too (a last part); one that starts as many before a listed
    noun is a first part.
    """
    as_last: dict[str, int] = {}
    as_first: dict[str, int] = {}
    for word in nouns:
        for cut in range(4, len(word) - 3):
            first, last = word[:cut], word[cut:]
            if first in nouns and last in others:
                as_last[last] = as_last.get(last, 0) + 1
            if first in others and _noun_after_link(last, nouns):
                as_first[first] = as_first.get(first, 0) + 1
    lasts = {part for part, count in as_last.items() if count >= MIN_EVIDENCE}
    firsts = {part for part, count in as_first.items() if count >= MIN_EVIDENCE}
    return lasts, firsts


def _noun_after_link(rest: str, nouns: set[str]) -> bool:
    """``rest`` is a noun, or a linking element and a noun (Niederschlag-s-wasser)."""
    return rest in nouns or any(
        rest.startswith(link) and rest[len(link) :] in nouns for link in ("s", "es", "n", "en")
    )


def _verb_stems(others: set[str]) -> set[str]:
    """Stems of infinitives that are verbs (``wohnen``: ``wohnt`` is there too), not of
    declined adjectives (``ebenen``)."""
    stems = set()
    for word in others:
        if word.endswith(("ern", "eln")) and len(word) > 5:
            stem = word[:-1]  # wandern -> wander
        elif word.endswith("en") and len(word) > 4:
            stem = word[:-2]  # wohnen -> wohn
        else:
            continue
        if stem + "t" in others or stem + "te" in others:
            stems.add(stem)
    return stems
