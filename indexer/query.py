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
from dataclasses import dataclass, field

from whoosh import query as q

from . import places, synonyms
from .analysis import fold, query_term, stem
from .compounds import compound_reading
from .lookup import TermLookup, first_seen
from .misreading import misreadings
from .results import Limits, QueryRefused

FIELDS = {"az", "strasse", "flurstueck", "gemarkung", "flur", "art", "bezirk", "jahr"}
KIND_NAMES = {
    "bauzeichnung/plan": "bauzeichnung", "plan": "bauzeichnung", "bescheinigung/zertifikat":
    "bescheinigung", "zertifikat": "bescheinigung",
}  # fmt: skip
_LEX = re.compile(r'(-?)"([^"]*)"|(\S+)')
_YEARS = re.compile(r"(\d{4})(?:\.\.(\d{4}))?")


WAITING_FACTOR = 10
"""A search may take this many times its budget in wall-clock time before it is refused
all the same: a wedged cluster or a long queue must not hold a web thread for ever."""


@dataclass
class Budget:
    """The limits of one search and the time it may still spend.

    The clock is the searching thread's CPU time, not the wall clock: the
    budget bounds what a query costs, so a search that only waits (for a busy
    machine's CPU, for another thread's turn on the searcher, for the cluster's
    answer) is not refused as too costly. On a loaded two-core box a search of
    a few pages took over a wall-clock second. Only past WAITING_FACTOR times
    the budget of wall-clock time is it refused for waiting. A budget is
    checked in the thread that made it.
    """

    limits: Limits = field(default_factory=Limits)
    deadline: float = field(default=0.0)
    """On this thread's CPU clock (``time.thread_time``)."""
    wall_deadline: float = field(default=0.0)
    """On the monotonic wall clock."""

    def __post_init__(self) -> None:
        if not self.deadline:
            self.deadline = time.thread_time() + self.limits.seconds
        if not self.wall_deadline:
            self.wall_deadline = time.monotonic() + WAITING_FACTOR * self.limits.seconds

    def left(self) -> float:
        """Seconds of the budget not yet spent (negative once past it)."""
        return min(self.deadline - time.thread_time(), self.wall_left())

    def wall_left(self) -> float:
        """Wall-clock seconds the search may still take: what a server doing its part of
        the search (the cluster) is given, its time being its own and not this thread's."""
        return self.wall_deadline - time.monotonic()

    def check(self) -> None:
        if self.left() < 0:
            raise QueryRefused("too-costly", self.limits.seconds)


@dataclass
class Parsed:
    query: q.Query
    approximate: bool = False
    words: list[str] = field(default_factory=list)
    exclude: q.Query | None = None
    """Documents with any page matching this are left out (``-word``)."""
    parts: list[q.Query] = field(default_factory=list)
    """What must match, each (a word, a phrase, an OR group) on some page of a document."""
    filters: list[q.Query] = field(default_factory=list)
    """Field filters (art:, jahr: …), true of every page of a document or of none."""


@dataclass
class _Context:
    lookup: TermLookup
    """What the index holds on pages the user may see."""
    budget: Budget
    fuzzy: list[str] = field(default_factory=list)
    """Words with no exact hit, searched by their near spellings (the result is approximate)."""
    variants: int = 0
    """Words that have exact hits and were also searched by their near spellings."""


SYNONYM_BOOST = 0.6
"""A word of the same group (Bauschein for Baugenehmigung) counts a little less."""
KIND_BOOST = 0.4
"""A document of the kind a word names (Statik), without the word on the page."""
PARTS_BOOST = 0.5
"""A compound's parts written apart (Ausbau des Dachgeschosses for Dachgeschossausbau)."""


def _word(word: str, ctx: _Context) -> q.Query | None:
    stemmed = query_term(word)
    if stemmed is None:
        return None
    folded = fold(word)
    main = _as_written(stemmed, folded, ctx)
    others = _alternatives(word, stemmed, folded)
    return q.Or([main, *others]) if others else main


def _exact_terms(stemmed: str, folded: str) -> list[q.Term]:
    return [
        q.Term("text", stemmed), q.Term("title", stemmed),
        q.Term("strasse", stemmed, boost=ADDRESS_BOOST), q.Term("exact", folded),
        q.Term("az", folded, boost=ADDRESS_BOOST), q.Term("flurstueck", folded),
        q.Term("azteile", folded, boost=ADDRESS_BOOST),
    ]  # fmt: skip


def _as_typed(word: str) -> q.Query | None:
    """The word itself in every field, nothing it may mean (for ``-word``)."""
    stemmed = query_term(word)
    return q.Or(_exact_terms(stemmed, fold(word))) if stemmed else None


def _as_written(stemmed: str, folded: str, ctx: _Context) -> q.Query:
    exact = _exact_terms(stemmed, folded)
    seen = ctx.lookup.seen([(t.fieldname, t.text) for t in exact])
    present = [t for t in exact if (t.fieldname, t.text) in seen]
    if present:
        # the unstemmed twin repeats the text field's words: only needed where text has none
        if any(t.fieldname == "text" for t in present):
            present = [t for t in present if t.fieldname != "exact"]
        near = _variants(folded, ctx)
        if near is not None:
            present.append(near)
        return present[0] if len(present) == 1 else q.Or(present)
    if folded.isalpha() and len(folded) >= 4:
        ctx.fuzzy.append(folded)
        nothing_visible = ctx.lookup.nothing_visible
        if len(ctx.fuzzy) <= ctx.budget.limits.max_fuzzy_words and not nothing_visible:
            return _fuzzy(folded, ctx)
    return q.NullQuery  # on no page the user may see: walk no postings of other pages


def _alternatives(word: str, stemmed: str, folded: str) -> list[q.Query]:
    """What else the word means, ranked below the word itself: the words of its synonym
    group, the document kind it names, and its compound parts written apart."""
    found: list[q.Query] = []
    group = synonyms.group_of(word)
    if group is not None:
        for other in group.words:
            node = _phrase(other) if " " in other else _stemmed(query_term(other))
            if node is not None and query_term(other) != stemmed:
                found.append(_boosted(node, SYNONYM_BOOST))
        if group.kind:
            found.append(q.Term("kind", group.kind, boost=KIND_BOOST))
    parts = compound_reading(folded)
    if parts:
        terms = [q.Term("text", stem(p)) for p in parts]
        found.append(q.And(terms, boost=PARTS_BOOST))
    return found


def _stemmed(term: str | None) -> q.Query | None:
    return q.Or([q.Term("text", term), q.Term("title", term)]) if term else None


def _boosted(node: q.Query, boost: float) -> q.Query:
    node.boost = boost
    return node


VARIANT_BOOST = 0.3
"""A misread or old spelling of a word that also stands as typed (Waschkiiche, Thür)."""
MIN_VARIANT_LENGTH = 5
"""Shorter words have too many neighbours one letter away to say anything."""
VARIANT_EXPANSIONS = 16


def _variants(folded: str, ctx: _Context) -> q.Query | None:
    """Misread and mistyped forms of a word that has exact hits, as a lower-ranked
    alternative: a correct form on one page must not hide the misread forms on others.
    The forms are made from the word (indexer.misreading) and looked up one by one, not
    found by walking the index's words as the fallback does (measured: that walk made a
    search ten times slower).  Only forms on pages the user may see, within the bounds."""
    if not folded.isalpha() or len(folded) < MIN_VARIANT_LENGTH:
        return None
    if ctx.variants + len(ctx.fuzzy) >= ctx.budget.limits.max_fuzzy_words:
        return None
    ctx.variants += 1
    ctx.budget.check()
    near = first_seen(ctx.lookup, "exact", misreadings(folded), VARIANT_EXPANSIONS)
    if not near:
        return None
    return q.Or([q.Term("exact", t) for t in near], boost=VARIANT_BOOST)


def _fuzzy(folded: str, ctx: _Context) -> q.Query:
    """The spellings near ``folded`` on pages the user may see (at most ``max_expansions``).

    Expanded here rather than by Whoosh's FuzzyTerm so that the number of
    terms and the time spent walking the lexicon are bounded; and only
    visible spellings count toward the cap, so words in files the user may
    not see can never crowd a visible one out.
    """
    terms = _near(folded, ctx, ctx.budget.limits.max_expansions)
    if not terms:
        return q.NullQuery  # matches nothing, like any word that is nowhere
    return q.Or([q.Term("exact", t) for t in terms])


def _near(folded: str, ctx: _Context, limit: int) -> list[str]:
    """Spellings within one edit (two from eight letters on), or two letters swapped, on
    pages the user may see."""
    ctx.budget.check()
    return ctx.lookup.near(folded, 1 if len(folded) < 8 else 2, limit)


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


ADDRESS_BOOST = 2.0
"""A word of the building file's address or file number outranks the same word in text."""


def _tokens(text: str) -> list[tuple[str, str | None, str | None]]:
    """(negation, phrase, token) of each part of the query; a house number's letter
    written apart joins it (``Lindenstraße 4 a``)."""
    found = [(m.group(1), m.group(2), m.group(3)) for m in _LEX.finditer(text)]
    joined: list[tuple[str, str | None, str | None]] = []
    for item in found:
        token = item[2]
        if (token and len(token) == 1 and token.isalpha() and len(joined) >= 2
                and joined[-1][2] and joined[-1][2].isdigit()
                and joined[-2][2] and places.is_street(joined[-2][2])):  # fmt: skip
            negate, phrase, number = joined.pop()
            joined.append((negate, phrase, f"{number}{token}"))
            continue
        joined.append(item)
    return joined


def _place_or_word(token: str, after_street: bool, ctx: _Context) -> q.Query | None:
    """A word, read also as a street, a house number after a street, a postcode or a
    file number of the building file (matched in its own fields, ranked first)."""
    written = places.written_out(token)
    node = _word(written, ctx)
    if node is None:
        return None
    extra: list[q.Query] = []
    if after_street and places.is_house_number(token):
        extra.append(q.Term("hausnr", places.house_numbers(token)[0], boost=ADDRESS_BOOST))
    if places.is_postcode(token):
        extra.append(q.Term("plz", token, boost=ADDRESS_BOOST))
    if pieces := places.file_number_pieces(token):
        extra.append(q.And([q.Term("azteile", p) for p in pieces], boost=ADDRESS_BOOST))
    return q.Or([node, *extra]) if extra else node


def _word_count(text: str) -> int:
    """Words as the bound counts them: each word of a phrase is one (a phrase is a search too)."""
    count = 0
    for match in _LEX.finditer(text):
        phrase = match.group(2)
        count += max(1, len(phrase.split())) if phrase is not None else 1
    return count


def likely_questions(text: str, limits: Limits) -> list[tuple[str, str]]:
    """The (field, term) pairs ``parse`` will ask the lookup about for ``text`` (each
    word's terms as written and its misread forms), so that a server backend can answer
    them all in one request first.  Nothing for a query past the word bound."""
    if _word_count(text) > limits.max_words:
        return []
    pairs: list[tuple[str, str]] = []
    for _negate, phrase, token in _tokens(text):
        if phrase is not None or not token or token == "OR":
            continue
        token = token.lstrip("-").split(":", 1)[-1].strip("\"'()[]{},;:!?")
        word = places.written_out(token)
        stemmed = query_term(word) if re.search(r"\w", word) else None
        if stemmed is None:
            continue
        folded = fold(word)
        pairs += [(t.fieldname, t.text) for t in _exact_terms(stemmed, folded)]
        if folded.isalpha() and len(folded) >= MIN_VARIANT_LENGTH:
            pairs += [("exact", form) for form in misreadings(folded)]
    return list(dict.fromkeys(pairs))


def parse(text: str, lookup: TermLookup, budget: Budget | None = None) -> Parsed:
    """Parse ``text`` for the user whose scope ``lookup`` answers for.

    Never fails on the text itself; raises QueryRefused past the bounds.  An
    empty query matches nothing.
    """
    ctx = _Context(lookup, budget or Budget())
    if _word_count(text) > ctx.budget.limits.max_words:
        raise QueryRefused("too-many-words", ctx.budget.limits.max_words)
    musts: list[q.Query] = []
    filters: set[int] = set()
    """Positions in musts of field filters (art:, jahr: …): they hold for a whole document."""
    nots: list[q.Query] = []
    words: list[str] = []
    pending_or = False
    after_street = False
    for negate, phrase, token in _tokens(text):
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
            if node is not None and not negate and not pending_or:
                filters.add(len(musts))
            if node is None:  # unusable value: read as words
                node = _word(value, ctx) if value else None
        elif negate:  # leaves out what the word itself matches, not what it may mean
            token = token.strip("\"'()[]{},;:!?")
            node = _as_typed(token) if re.search(r"\w", token) else None
        else:
            token = token.strip("\"'()[]{},;:!?")
            node = _place_or_word(token, after_street, ctx) if re.search(r"\w", token) else None
            words.append(token)
        after_street = phrase is None and places.is_street(token)
        if node is None:
            pending_or = False
            continue
        if negate:
            nots.append(node)
        elif pending_or:
            previous = musts.pop()
            filters.discard(len(musts))
            items = [*previous.subqueries, node] if isinstance(previous, q.Or) else [previous, node]
            musts.append(q.Or(items))
        else:
            musts.append(node)
        pending_or = False
    if not musts:
        return Parsed(q.NullQuery, False, words)
    query: q.Query = q.And(musts) if len(musts) > 1 else musts[0]
    parts = [m for n, m in enumerate(musts) if n not in filters]
    held = [m for n, m in enumerate(musts) if n in filters]
    return Parsed(query, bool(ctx.fuzzy), words, q.Or(nots) if nots else None, parts, held)
