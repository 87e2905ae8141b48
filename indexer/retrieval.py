"""Searching: the permission filter inside the query, grouping per document, facets, snippets.

The caller passes what the user may see (a :class:`Scope`, computed by the
docstore service at the moment of the search; never stored in the index).
The filter is part of the Whoosh search, so totals, facets, snippets and
paging only ever count what the user may see.
"""

from __future__ import annotations

import time
from collections import Counter

from whoosh import query as q
from whoosh.collectors import FilterCollector, TopCollector, WrappingCollector
from whoosh.index import Index
from whoosh.searching import Searcher

from .highlight import wanted_of
from .lexicon import lexicon
from .query import Budget, Parsed, parse
from .reader import IndexReader
from .results import FACETS, DocumentHit, Limits, PageHit, Scope, SearchResults, Wanted
from .snippets import snippet
from .whoosh_lookup import WhooshLookup

STALE_TRIES = 4
"""Searches tried while commits keep replacing the segments under them."""


def scope_filter(searcher: Searcher, scope: Scope) -> set[int] | None:
    """The index documents ``scope`` may see; None for staff (everything, the inbox included).

    A set of document numbers read straight from the postings, once per
    search: handing Whoosh an ``Or`` of terms instead makes it rebuild that set
    on every ``search`` call (measured: two thirds of a filtered search).
    """
    other_version = _docnums(searcher, "audience", ["public" if scope.unredacted else "staff"])
    if scope.everything:
        return _all_but(searcher, other_version) if other_version else None
    allowed = _docnums(searcher, "bf", scope.building_file_ids)
    return (allowed | _docnums(searcher, "doc", scope.document_ids)) - other_version


def _all_but(searcher: Searcher, left_out: set[int]) -> set[int]:
    """Every index document but ``left_out``, made once per searcher."""
    cache = searcher.__dict__.setdefault("_bauakte_all_but", {})
    key = frozenset(left_out)
    if key not in cache:
        cache.clear()
        cache[key] = set(range(searcher.doc_count_all())) - left_out
    return cache[key]


def _docnums(searcher: Searcher, name: str, values) -> set[int]:
    """Index documents whose column ``name`` holds one of ``values``."""
    where = _positions(searcher, name)
    found: set[int] = set()
    for value in values:
        found.update(where.get(str(value), ()))
    return found


def _positions(searcher: Searcher, name: str) -> dict[str, list[int]]:
    """Value -> document numbers of a column, made once per searcher like the columns."""
    cache = searcher.__dict__.setdefault("_bauakte_positions", {})
    if name not in cache:
        where: dict[str, list[int]] = {}
        for docnum, value in enumerate(_column(searcher, name)):
            where.setdefault(value, []).append(docnum)
        cache[name] = where
    return cache[name]


def search(
    source: Index | IndexReader,
    text: str,
    scope: Scope,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    pages_per_document: int = 3,
    snippets: bool = True,
    limits: Limits | None = None,
) -> SearchResults:
    """Search what ``scope`` may see; raises QueryRefused past ``limits`` (default: Limits())."""
    page = max(1, page)
    lexicon()  # read before the clock starts: the first search of a process would pay for it
    for attempt in range(1, STALE_TRIES + 1):
        options = (page, per_page, sort, pages_per_document, snippets, Budget(limits or Limits()))
        try:
            with source.searcher() as searcher:
                return _search(searcher, text, scope, *options)
        except FileNotFoundError:
            # A commit merged away a segment file this searcher had not opened yet (whoosh
            # opens some column files lazily); a fresh searcher sees the merged segment.
            if attempt == STALE_TRIES:
                raise
            if isinstance(source, IndexReader):
                source.reopen()
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _search(
    searcher: Searcher, text: str, scope: Scope, page: int, per_page: int, sort: str,
    pages_per_document: int, snippets: bool, budget: Budget,
) -> SearchResults:  # fmt: skip
    allowed = scope_filter(searcher, scope)
    parsed = parse(text, WhooshLookup(searcher, allowed, budget.check), budget)
    if parsed.query is q.NullQuery or allowed == set():
        return SearchResults(0, [], {f: {} for f in FACETS}, parsed.approximate, page, per_page)
    doc_of = _column(searcher, "doc")
    excluded: set[str] = set()
    if parsed.exclude is not None:  # "-word" leaves out whole documents, not pages
        unwanted = _bounded(searcher, budget, parsed.exclude, allowed, limit=None, scored=False)
        excluded = {doc_of[n] for n in unwanted.docs()}
    within: dict[int, float] | None = None
    if allowed is not None and len(allowed) * NARROW <= searcher.doc_count_all():
        within = _scored_within(searcher, parsed.query, allowed, budget)  # all hits, scored
        matched_pages = within.keys()
    else:  # every matching page, unscored, for the totals and facets (columns, not stored fields)
        matched_pages = _bounded(
            searcher, budget, parsed.query, allowed, limit=None, scored=False
        ).docs()
    pages_of: dict[str, list[int]] = {}
    budget.check()
    for docnum in sorted(matched_pages):  # a document's pages are indexed in page order
        pages_of.setdefault(doc_of[docnum], []).append(docnum)
    apart = _across_pages(searcher, budget, parsed, allowed, doc_of, set(pages_of))
    pages_of.update(apart)
    for key in excluded:
        pages_of.pop(key, None)
        apart.pop(key, None)
    facets = _facets(searcher, (pages[0] for pages in pages_of.values()))
    scores: dict[int, float] = {}
    if sort == "date":
        dates = _column(searcher, "sortdate")
        order = sorted(pages_of, key=lambda k: (-dates[pages_of[k][0]], min(pages_of[k])))
        shown = order[(page - 1) * per_page : page * per_page]
    else:  # the best page of each document decides its rank; words on one page first
        if within is not None:
            kept = (n for n in within if doc_of[n] in pages_of)
            scores = dict(sorted(((n, within[n]) for n in kept), key=lambda item: -item[1]))
        elif len(pages_of) > len(apart):
            mask = _docnums(searcher, "doc", excluded) if excluded else None
            scores = _top_pages(
                searcher, budget, parsed.query, allowed, mask, doc_of, page * per_page
            )
        ranked = list(dict.fromkeys(doc_of[n] for n in scores))
        if len(ranked) >= len(pages_of) - len(apart):  # every same-page document is ranked
            ranked += sorted(apart, key=lambda k: (-len(apart[k]), apart[k][0]))
        shown = ranked[(page - 1) * per_page : page * per_page]
    budget.check()
    wanted = wanted_of(parsed.query) if snippets else None
    results = [
        _document(
            searcher,
            apart[d][: max(pages_per_document, len(parsed.parts))] if d in apart
            else _best_pages(pages_of[d], scores, pages_per_document),
            scores, wanted,
        )
        for d in shown
    ]  # fmt: skip
    return SearchResults(len(pages_of), results, facets, parsed.approximate, page, per_page,
                         wanted)  # fmt: skip


APART_LIMIT = 10_000
"""Documents a query's words may each match on pages of their own before only documents
with a page holding every word are listed (the words are then too common to say much)."""


def _across_pages(
    searcher: Searcher, budget: Budget, parsed: Parsed, allowed: set[int] | None,
    doc_of, same_page: set[str],
) -> dict[str, list[int]]:  # fmt: skip
    """Documents that hold every part of the query, but no single page with all of them:
    each one's pages where a part stands, first the first page of each part in the order
    typed, then the others.  Ranked after the documents with a page that holds them all.

    The rarest part is walked first; the others only leap to the pages of the documents
    it found (as _scored_within does), so a common word costs little.  Field filters
    (art:, jahr: …) hold for whole documents and restrict each part.
    """
    if len(parsed.parts) < 2:
        return {}
    reader = searcher.reader()
    parts = [q.And([p, *parsed.filters]) if parsed.filters else p for p in parsed.parts]
    order = sorted(range(len(parts)), key=lambda n: parts[n].estimate_size(reader))
    pages_of = _positions(searcher, "doc")
    found: dict[int, dict[str, list[int]]] = {}
    candidates: set[str] | None = None
    for n in order:
        if candidates is None:  # the rarest part: its documents are the candidates
            hits = _bounded(searcher, budget, parts[n], allowed, limit=None, scored=False)
            matches = sorted(hits.docs())
        else:
            pages = {p for key in candidates for p in pages_of.get(key, ())}
            matches = sorted(_scored_within(searcher, parts[n], pages & allowed
                                            if allowed is not None else pages, budget))  # fmt: skip
        per_doc: dict[str, list[int]] = {}
        for count, docnum in enumerate(matches):
            if count % CLOCK_EVERY == 0:
                budget.check()
            per_doc.setdefault(doc_of[docnum], []).append(docnum)
        candidates = set(per_doc) if candidates is None else candidates & set(per_doc)
        if len(candidates) > APART_LIMIT or not candidates - same_page:
            return {}
        found[n] = per_doc
    apart: dict[str, list[int]] = {}
    for key in sorted((candidates or set()) - same_page):
        firsts = [min(found[n][key]) for n in range(len(parts))]
        rest = sorted({p for n in range(len(parts)) for p in found[n][key]} - set(firsts))
        apart[key] = [*dict.fromkeys(firsts), *rest]
    return apart


NARROW = 8
"""A permission filter leaving at most 1/NARROW of the index is walked page by page."""
CLOCK_EVERY = 256
"""Matches between two looks at the clock: often enough to end a search on time, rarely
enough to cost nothing measurable."""


class _Deadline(WrappingCollector):
    """Ends a Whoosh search that runs past the budget's deadline (QueryRefused).

    A clock check every CLOCK_EVERY matches, in this thread: Whoosh's own
    TimeLimitCollector needs a timer thread per search or SIGALRM, which a
    threaded web worker cannot share.
    """

    def __init__(self, child, budget: Budget) -> None:
        super().__init__(child)
        self.budget = budget

    def matches(self):
        for n, docnum in enumerate(self.child.matches()):
            if n % CLOCK_EVERY == 0:
                self.budget.check()
            yield docnum


def _bounded(searcher: Searcher, budget: Budget, query, allowed, mask=None, **kwargs):
    """``searcher.search`` within the budget.

    The permission filter wraps the deadline, never the other way round: a
    wrapper around Whoosh's FilterCollector would collect past the filter.
    """
    inner = _Deadline(_collector(searcher, **kwargs), budget)
    outer = inner if allowed is None and mask is None else FilterCollector(inner, allowed, mask)
    searcher.search_with_collector(query, outer)
    return outer.results()


def _collector(searcher: Searcher, limit: int | None = 10, scored: bool = True, **rest):
    """Whoosh's collector, but a top-k one never replaces its matcher mid-search: that
    optimisation returned pages that do not match (an And of Ors over several segments;
    tests/indexer/test_top_pages.py), and the page's document then had no place in the
    results."""
    if limit is not None and scored and not rest:
        return TopCollector(limit, replace=0)
    return searcher.collector(limit=limit, scored=scored, **rest)


def _scored_within(
    searcher: Searcher, query: q.Query, allowed: set[int], budget: Budget
) -> dict[int, float]:
    """Score of every page in ``allowed`` that matches, by leaping the matcher to each one.

    For a user who may see a few building files, skipping straight to their
    pages (the postings' skip lists make ``skip_to`` cheap) beats walking every
    match in the archive and checking it against the filter, which is what a
    filtered Whoosh search does; and it scores every hit in the same pass.
    """
    context = searcher.context()
    found: dict[int, float] = {}
    for leaf, offset in searcher.leaf_searchers():
        end = offset + leaf.doc_count_all()
        targets = sorted(n - offset for n in allowed if offset <= n < end)
        if not targets:
            continue
        matcher = query.matcher(leaf, context)
        for n, target in enumerate(targets):
            if n % CLOCK_EVERY == 0:
                budget.check()
            if not matcher.is_active():
                break
            if matcher.id() < target:
                matcher.skip_to(target)
                if not matcher.is_active():
                    break
            if matcher.id() == target:
                found[offset + target] = matcher.score()
    return found


def _top_pages(searcher, budget, query, allowed, mask, doc_of, needed: int) -> dict[int, float]:
    """Scores of the best pages, best first, enough of them to rank ``needed`` documents.

    Asks for a few pages per wanted document and widens the window only when
    too many of them belong to the same documents; Whoosh can skip low-scoring
    blocks for a plain top-k search, which collapsing on the document would
    prevent (measured: half the time).
    """
    window = needed * 3
    while True:
        top = _bounded(searcher, budget, query, allowed, mask, limit=window)
        documents = {doc_of[hit.docnum] for hit in top}
        if len(documents) >= needed or top.scored_length() < window:
            return {hit.docnum: hit.score for hit in top}
        window *= 4


def _best_pages(pages: list[int], scores: dict[int, float], count: int) -> list[int]:
    """Scored pages by score, then the document's other matching pages in page order.

    The other pages come from the totals pass, so no third search over the
    whole index is needed to list them.
    """
    return sorted(pages, key=lambda n: -scores.get(n, float("-inf")))[:count]


def _column(searcher: Searcher, name: str):
    """A column as a plain list indexed by document number, made once per searcher.

    Opening a column reader is costly, and a list lookup is far cheaper than
    the reader's own per-item access on the hot path of totals and facets.
    """
    cache = searcher.__dict__.setdefault("_bauakte_columns", {})
    if name not in cache:
        reader = searcher.reader()
        # an index with no segment yet (a fresh instance) has no columns at all
        cache[name] = list(reader.column_reader(name)) if reader.doc_count_all() else []
    return cache[name]


def _facets(searcher: Searcher, docnums) -> dict[str, dict[str, int]]:
    columns = {f: _column(searcher, f) for f in FACETS}
    counts = {f: Counter() for f in FACETS}
    for docnum in docnums:
        for name, column in columns.items():
            value = column[docnum]
            if value:
                counts[name][value] += 1
    return {name: dict(c.most_common()) for name, c in counts.items()}


def _document(
    searcher: Searcher, docnums: list[int], scores: dict[int, float], wanted: Wanted | None
) -> DocumentHit:
    pages = [searcher.stored_fields(n) for n in docnums]
    best = pages[0]
    date = best.get("date")
    return DocumentHit(
        document_id=int(best["doc"]),
        title=best.get("title") or None,
        original_name=best.get("original_name", ""),
        kind=best.get("kind", ""),
        aktenzeichen=best.get("aktenzeichen") or None,
        address=best.get("address") or None,
        date=date.date() if date else None,
        score=scores.get(docnums[0], 0.0),
        pages=[
            PageHit(
                number=fields["page"],
                snippet=snippet(fields.get("text") or "", wanted) if wanted is not None else "",
            )
            for fields in pages
        ],
    )
