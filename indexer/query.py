"""The query language, parsed by hand so that no input can produce an error page.

    Baugenehmigung Dach          all words must match (in text, title or address)
    "Nachweis der Standsicherheit"   a phrase
    Garage OR Carport            either (OR binds the words beside it)
    -Abriss                      must not match
    az:63-BA-2019-0457  strasse:Lindenstraße  flurstueck:112/3  gemarkung:Sülz  flur:4
    art:baugenehmigung  bezirk:Ehrenfeld  jahr:1990  jahr:1990..2005

Anything malformed (an unknown field, an open quote, a lone OR) is read as
plain words.  A word with no exact hit among the pages the user may see
falls back to fuzzy matching (edit distance 1, or 2 for words of eight
letters or more): the results then say they are approximate.  Whether a
word exists in pages the user may not see never shows: not in the hits,
not in the "approximate" flag.

A query has bounds (:class:`Limits`): so many words, so many fuzzy words,
so many spellings each fuzzy word may expand to, and a deadline; past them
it is refused with :class:`QueryRefused`, whose code the caller words.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from dataclasses import dataclass, field

from whoosh import query as q
from whoosh.searching import Searcher

from .analysis import fold, query_term

FIELDS = {"az", "strasse", "flurstueck", "gemarkung", "flur", "art", "bezirk", "jahr"}
KIND_NAMES = {
    "bauzeichnung/plan": "bauzeichnung", "plan": "bauzeichnung", "bescheinigung/zertifikat":
    "bescheinigung", "zertifikat": "bescheinigung",
}  # fmt: skip
_LEX = re.compile(r'(-?)"([^"]*)"|(\S+)')
_YEARS = re.compile(r"(\d{4})(?:\.\.(\d{4}))?")


@dataclass(frozen=True)
class Limits:
    max_words: int = 16
    max_fuzzy_words: int = 4
    """Words beyond this many without an exact hit are matched exactly only."""
    max_expansions: int = 64
    """Spellings one fuzzy word may stand for."""
    seconds: float = 1.0
    """Time budget of one search."""


class QueryRefused(Exception):
    """The query is past a bound; ``code`` is stable ('too-many-words', 'too-costly')."""

    def __init__(self, code: str, limit: int | float) -> None:
        super().__init__(f"{code} (limit {limit})")
        self.code = code
        self.limit = limit


@dataclass
class Budget:
    """The limits of one search and its deadline."""

    limits: Limits = field(default_factory=Limits)
    deadline: float = field(default=0.0)

    def __post_init__(self) -> None:
        if not self.deadline:
            self.deadline = time.monotonic() + self.limits.seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryRefused("too-costly", self.limits.seconds)


@dataclass
class Parsed:
    query: q.Query
    approximate: bool = False
    words: list[str] = field(default_factory=list)
    exclude: q.Query | None = None
    """Documents with any page matching this are left out (``-word``)."""


@dataclass
class _Context:
    searcher: Searcher
    visible: Collection[int] | None
    """Index documents the user may see; None: all."""
    budget: Budget
    fuzzy: list[str] = field(default_factory=list)


def _seen(ctx: _Context, fieldname: str, text: str) -> bool:
    """Whether the term is on a page the user may see (never: anywhere in the index)."""
    frequency = ctx.searcher.doc_frequency(fieldname, text)
    if not frequency:
        return False
    if ctx.visible is None:
        return True
    matcher = ctx.searcher.postings(fieldname, text)
    if len(ctx.visible) < frequency:  # leap through the postings to each visible page
        for target in sorted(ctx.visible):
            if matcher.id() < target:
                matcher.skip_to(target)
            if not matcher.is_active():
                return False
            if matcher.id() == target:
                return True
        return False
    return any(docnum in ctx.visible for docnum in matcher.all_ids())


def _word(word: str, ctx: _Context) -> q.Query | None:
    stemmed = query_term(word)
    if stemmed is None:
        return None
    folded = fold(word)
    exact = [
        q.Term("text", stemmed), q.Term("title", stemmed), q.Term("strasse", stemmed),
        q.Term("exact", folded), q.Term("az", folded), q.Term("flurstueck", folded),
    ]  # fmt: skip
    present = [t for t in exact if _seen(ctx, t.fieldname, t.text)]
    if present:
        # the unstemmed twin repeats the text field's words: only needed where text has none
        if any(t.fieldname == "text" for t in present):
            present = [t for t in present if t.fieldname != "exact"]
        return present[0] if len(present) == 1 else q.Or(present)
    if folded.isalpha() and len(folded) >= 4:
        ctx.fuzzy.append(folded)
        nothing_visible = ctx.visible is not None and not ctx.visible
        if len(ctx.fuzzy) <= ctx.budget.limits.max_fuzzy_words and not nothing_visible:
            return _fuzzy(folded, ctx)
    return q.Or(exact)


def _fuzzy(folded: str, ctx: _Context) -> q.Query:
    """The spellings near ``folded`` on pages the user may see (at most ``max_expansions``).

    Expanded here rather than by Whoosh's FuzzyTerm so that the number of
    terms and the time spent walking the lexicon are bounded; and only
    visible spellings count toward the cap, so words in files the user may
    not see can never crowd a visible one out.
    """
    distance = 1 if len(folded) < 8 else 2
    reader = ctx.searcher.reader()
    terms: list[str] = []
    for n, term in enumerate(reader.terms_within("exact", folded, distance, prefix=1)):
        if n % 64 == 0:
            ctx.budget.check()
        if not _seen(ctx, "exact", term):
            continue
        terms.append(term)
        if len(terms) >= ctx.budget.limits.max_expansions:
            break
    if not terms:
        return q.Term("exact", folded)  # matches nothing, like any word that is nowhere
    return q.Or([q.Term("exact", t) for t in terms])


def _phrase(text: str) -> q.Query | None:
    terms = [query_term(w) for w in re.findall(r"\w+(?:[-/.]\w+)*", text)]
    stems = [t for t in terms if t]
    if not stems:
        return None
    if len(stems) == 1:
        return q.Term("text", stems[0])
    # stop words are not indexed but keep their positions: allow one gap for each
    return q.Phrase("text", stems, slop=1 + terms.count(None))


def _field(name: str, value: str) -> q.Query | None:
    value = value.strip()
    if not value:
        return None
    if name == "az":
        return q.Term("az", fold(value))
    if name == "strasse":
        stems = [s for s in (query_term(w) for w in value.replace("-", " ").split()) if s]
        return q.And([q.Term("strasse", s) for s in stems]) if stems else None
    if name in ("flurstueck", "gemarkung", "flur"):
        return q.Term(name, fold(value))
    if name == "art":
        key = fold(value)
        return q.Term("kind", KIND_NAMES.get(key, key))
    if name == "bezirk":
        return q.Term("bezirk", value)
    if name == "jahr":
        match = _YEARS.fullmatch(value)
        if not match:
            return None
        start = int(match.group(1))
        end = int(match.group(2) or start)
        return q.NumericRange("year", min(start, end), max(start, end))
    return None


def _word_count(text: str) -> int:
    """Words as the bound counts them: each word of a phrase is one (a phrase is a search too)."""
    count = 0
    for match in _LEX.finditer(text):
        phrase = match.group(2)
        count += max(1, len(phrase.split())) if phrase is not None else 1
    return count


def parse(
    text: str,
    searcher: Searcher,
    visible: Collection[int] | None = None,
    budget: Budget | None = None,
) -> Parsed:
    """Parse ``text`` for a user who may see ``visible`` (None: everything).

    Never fails on the text itself; raises QueryRefused past the bounds.  An
    empty query matches nothing.
    """
    ctx = _Context(searcher, visible, budget or Budget())
    if _word_count(text) > ctx.budget.limits.max_words:
        raise QueryRefused("too-many-words", ctx.budget.limits.max_words)
    musts: list[q.Query] = []
    nots: list[q.Query] = []
    words: list[str] = []
    pending_or = False
    for match in _LEX.finditer(text):
        negate, phrase, token = match.group(1), match.group(2), match.group(3)
        if token == "OR":
            pending_or = bool(musts)
            continue
        if token is not None and token.startswith("-") and len(token) > 1:
            negate, token = "-", token[1:]
        node: q.Query | None
        if phrase is not None:
            node = _phrase(phrase)
            words.extend(phrase.split())
        elif ":" in token and token.split(":", 1)[0].lower() in FIELDS:
            name, value = token.split(":", 1)
            node = _field(name.lower(), value)
            if node is None:  # unusable value: read as words
                node = _word(value, ctx) if value else None
        else:
            token = token.strip("\"'()[]{},;:!?")
            node = _word(token, ctx) if re.search(r"\w", token) else None
            words.append(token)
        if node is None:
            pending_or = False
            continue
        if negate:
            nots.append(node)
        elif pending_or:
            previous = musts.pop()
            items = [*previous.subqueries, node] if isinstance(previous, q.Or) else [previous, node]
            musts.append(q.Or(items))
        else:
            musts.append(node)
        pending_or = False
    if not musts:
        return Parsed(q.NullQuery, False, words)
    query: q.Query = q.And(musts) if len(musts) > 1 else musts[0]
    return Parsed(query, bool(ctx.fuzzy), words, q.Or(nots) if nots else None)
