"""Old spellings read as today's: Thür is Tür, Centralheizung is Zentralheizung.

Building files reach back to the 19th century, before the spelling reform of 1901
and the typewriter's missing umlauts: ``th`` for ``t`` (Thür, Thor, Werth), ``c``
for ``k`` or ``z`` (Cement, Concession, Central), ``ae oe ue`` for ``ä ö ü``
(Gebaeude), ``-niß`` for ``-nis`` (Erlaubniß), ``ey`` for ``ei`` (seyn).  A word
gets a modern form only when it is not a word of today itself (nor a compound of such
words) and the modern form
is (or is a compound of words that are): ``Theater`` stays, ``Thür`` becomes
``tür``.  Words are folded (``indexer.folding``): ``ä`` is ``a``, ``ß`` is ``ss``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from .compounds import MAX_COMPOUND, split_compound
from .lexicon import lexicon

_RULES: tuple[Callable[[str], str], ...] = (
    lambda w: w.replace("th", "t"),
    lambda w: re.sub(r"c(?=[eiy])", "z", re.sub(r"(?<!s)c(?![hkeiy])", "k", w)),
    lambda w: w.replace("ae", "a").replace("oe", "o").replace("ue", "u"),
    lambda w: re.sub(r"niss(?=e?$|es$)", "nis", w),
    lambda w: w.replace("ey", "ei"),
)
MIN_LENGTH = 3
_OLD = re.compile(r"th|c(?![hk])|ae|oe|ue|niss|ey")
"""What one of the rules would change; a word without it needs no look-up."""


@functools.lru_cache(maxsize=100_000)
def modern(word: str) -> str | None:
    """Today's spelling of a folded old word, or None when it is none (or already is)."""
    if not MIN_LENGTH <= len(word) <= MAX_COMPOUND or not word.isalpha():
        return None
    if not _OLD.search(word):  # most words: no trace of an old spelling, nothing to look up
        return None
    lex = lexicon()
    if lex.knows(word) or split_compound(word):
        return None
    for candidate in _candidates(word):
        if lex.knows(candidate) or split_compound(candidate):
            return candidate
    return None


def _candidates(word: str) -> list[str]:
    """Each rule alone, then all of them together; each candidate once."""
    alone = [rule(word) for rule in _RULES]
    together = word
    for rule in _RULES:
        together = rule(together)
    found = [c for c in (*alone, together) if c != word]
    return list(dict.fromkeys(found))
