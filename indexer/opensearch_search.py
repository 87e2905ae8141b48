"""Searching an OpenSearch index with the answers Whoosh's retrieval gives.

The same parser builds the query (from words the user may see); the scope is a
filter inside every request, so totals, facets, snippets and paging only count what
the user may see.  A document is found when one of its pages holds every word, or
(ranked after those) when its pages hold them between them.  Totals and facets are
exact: the matching documents are listed by a composite aggregation, page by page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from whoosh import query as q

from .highlight import wanted_of
from .lexicon import lexicon
from .opensearch_mapping import INNER_WINDOW, read_document_key
from .opensearch_query import OpenSearchLookup, terms_filters, translate, visibility
from .query import Budget, Parsed, likely_questions, parse
from .results import (
    FACETS,
    DocumentHit,
    Limits,
    PageHit,
    QueryRefused,
    Scope,
    SearchResults,
    Wanted,
)
from .snippets import snippet

Call = Callable[[dict], dict]
APART_LIMIT = 10_000
"""As in Whoosh's retrieval: documents whose words stand on pages of their own."""
DOCS_PER_REQUEST = 50_000
"""Documents listed per request of the composite aggregation: each further request runs
the query again, so as few as stay under search.max_buckets (65,535).  At 1M pages a
plain search listing 100,000 documents took a p95 of 9.8 s with 5,000 per request, 4.9 s
with 50,000."""
PAGES_PER_REQUEST = 5000
"""Pages per request when listing a document's pages (within max_result_window)."""
WINDOW = 10_000
"""How deep OpenSearch pages results (index.max_result_window)."""
SHOWN = ["doc", "page", "body", "heading", "original_name", "kind", "aktenzeichen", "address",
         "date"]  # fmt: skip


class Overrun(Exception):
    """The cluster stopped a request at its timeout. With aggregations or a collapse it
    fails the whole request (500, ``time_exceeded_exception``) instead of answering
    ``timed_out``; either way the search was too costly for its budget."""


@dataclass(frozen=True)
class _Found:
    """A matching document's facet values and date, from the totals pass."""

    facets: dict[str, str]
    sortdate: int


def search(
    call: Call, text: str, scope: Scope, *, page: int = 1, per_page: int = 20,
    sort: str = "relevance", pages_per_document: int = 3, snippets: bool = True,
    limits: Limits | None = None,
) -> SearchResults:  # fmt: skip
    """Search what ``scope`` may see; raises QueryRefused past ``limits``."""
    page = max(1, page)
    lexicon()  # read before the clock starts, as Whoosh's retrieval does
    budget = Budget(limits or Limits())
    timed = _timed(call, budget)
    lookup = OpenSearchLookup(timed, scope, budget.check)
    lookup.prefetch(likely_questions(text, budget.limits))  # one request for the parser
    parsed = parse(text, lookup, budget)
    if parsed.query is q.NullQuery or lookup.nothing_visible:
        return SearchResults(0, [], {f: {} for f in FACETS}, parsed.approximate, page, per_page)
    visible = visibility(scope)
    leave_out = []
    if parsed.exclude is not None:  # "-word" leaves out whole documents, not pages
        excluded = _documents(timed, _within(translate(parsed.exclude), visible))
        leave_out = terms_filters("doc", excluded)
    query = _within(translate(parsed.query), visible, leave_out)
    parts = _part_queries(parsed, visible, leave_out)
    start, end = (page - 1) * per_page, page * per_page
    ranking = [_ranking(query, start, per_page)] if sort != "date" and end <= WINDOW else []
    (same, *per_part), ranked = _read_documents(timed, [query, *parts], ranking)  # one trip
    apart, apart_found = _across_pages(timed, parts, per_part, set(same))
    found = {**same, **apart_found}
    if sort == "date":
        order = sorted(found, key=lambda k: (-found[k].sortdate, int(k)))[start:end]
        listed = [(k, 0.0) for k in order if k in same]
    else:  # documents with a page holding every word first, by their best page
        if min(end, len(same)) > WINDOW:  # collapsing pages no further than the window
            raise QueryRefused("too-costly", budget.limits.seconds)
        listed = []
        if start < len(same):
            count = min(end, len(same)) - start
            listed = _ranked(ranked[0] if ranked else timed(_ranking(query, start, count)))
        later = sorted(apart, key=lambda k: (-len(apart[k]), int(k)))
        shown_later = later[max(0, start - len(same)) : max(0, end - len(same))]
        order = [*(key for key, _ in listed), *shown_later]
    best = _best_pages(timed, query, listed, pages_per_document)
    wanted = wanted_of(parsed.query) if snippets else None
    shown_apart = {k: apart[k][: max(pages_per_document, len(parsed.parts))]
                   for k in order if k in apart}  # fmt: skip
    sources = _sources(timed, visible, [i for pages in shown_apart.values() for _, i in pages])
    results = []
    for key in order:
        if key in shown_apart:
            pages = [sources[i] for _, i in shown_apart[key] if i in sources]
            if pages:  # else removed by a sync between the requests
                results.append(_hit(pages, 0.0, wanted))
        elif key in best and best[key][1]:
            results.append(_hit(best[key][1], best[key][0], wanted))
    return SearchResults(len(found), results, _facets(found.values()), parsed.approximate, page,
                         per_page, wanted)  # fmt: skip


def _timed(call: Call, budget: Budget) -> Call:
    """Each request within the wall-clock time the search has left (the cluster's time is
    its own, not this thread's CPU); a request cut short is refused."""

    def timed(body: dict) -> dict:
        budget.check()
        left = f"{max(1, int(budget.wall_left() * 1000))}ms"
        try:
            if "msearch" in body:
                answer = call({"msearch": [{**one, "timeout": left} for one in body["msearch"]]})
                answers = answer["responses"]
            else:
                answer = call({**body, "timeout": left})
                answers = [answer]
        except Overrun:
            raise QueryRefused("too-costly", budget.limits.seconds) from None
        if any(one.get("timed_out") for one in answers):
            raise QueryRefused("too-costly", budget.limits.seconds)
        return answer

    return timed


def _within(query: dict, visible: list, leave_out: list | None = None,
            extra: list | None = None) -> dict:  # fmt: skip
    return {"bool": {"must": [query], "filter": [*visible, *(extra or [])],
                     "must_not": leave_out or []}}  # fmt: skip


def _documents(call: Call, query: dict) -> dict[str, _Found]:
    """Every document with a page matching ``query``, with its facet values (exact)."""
    return _read_documents(call, [query])[0][0]


def _read_documents(
    call: Call, queries: list[dict], also: list[dict] | None = None
) -> tuple[list[dict[str, _Found]], list[dict]]:
    """``_documents`` of several queries in one round trip (msearch), then page by page;
    the answers to the searches ``also`` ride along in the first round trip."""
    found: list[dict[str, _Found]] = [{} for _ in queries]
    after: list[Any] = [None] * len(queries)
    open_ = list(range(len(queries)))
    extra = list(also or [])
    answered: list[dict] = []
    while open_:
        bodies = []
        for n in open_:
            composite: dict[str, Any] = {"size": DOCS_PER_REQUEST, "sources": [
                {"d": {"terms": {"field": "docfacets"}}}]}  # fmt: skip
            if after[n] is not None:
                composite["after"] = after[n]
            bodies.append({"size": 0, "track_total_hits": False, "query": queries[n],
                           "aggs": {"docs": {"composite": composite}}})  # fmt: skip
        answers = call({"msearch": [*bodies, *extra]})["responses"]
        answers, answered, extra = answers[: len(bodies)], answered + answers[len(bodies) :], []
        still = []
        for n, answer in zip(open_, answers, strict=True):
            docs = answer["aggregations"]["docs"]
            for bucket in docs["buckets"]:
                doc, facets, sortdate = read_document_key(bucket["key"]["d"])
                found[n].setdefault(doc, _Found(facets, sortdate))
            after[n] = docs.get("after_key")
            if after[n] is not None and len(docs["buckets"]) >= DOCS_PER_REQUEST:
                still.append(n)
        open_ = still
    return found, answered


def _part_queries(parsed: Parsed, visible: list, leave_out: list) -> list[dict]:
    """Each part of the query (a word, a phrase, an OR group) with the field filters, for
    documents whose pages hold the parts between them; none for a one-part query."""
    if len(parsed.parts) < 2:
        return []
    return [_within(translate(q.And([p, *parsed.filters]) if parsed.filters else p), visible,
                    leave_out) for p in parsed.parts]  # fmt: skip


def _across_pages(
    call: Call, parts: list[dict], found_per_part: list[dict[str, _Found]], same: set[str]
) -> tuple[dict[str, list[tuple[int, str]]], dict[str, _Found]]:
    """Documents holding every part of the query, but no single page with all of them:
    each one's pages where a part stands (first the first page of each part in the order
    typed, then the others), as (page number, index document id)."""
    if not parts:
        return {}, {}
    candidates = set.intersection(*(set(found) for found in found_per_part)) - same
    if not candidates or len(candidates) > APART_LIMIT:
        return {}, {}
    keys = sorted(candidates)
    narrow = [{"terms": {"doc": keys}}]
    pages = [_pages(call, {"bool": {"must": [part], "filter": narrow}}) for part in parts]
    apart = {}
    for key in keys:
        if any(key not in pages[n] for n in range(len(parts))):
            continue  # changed by a sync between the two requests
        firsts = [pages[n][key][0] for n in range(len(parts))]
        rest = sorted({p for n in range(len(parts)) for p in pages[n][key]} - set(firsts))
        apart[key] = [*dict.fromkeys(firsts), *rest]
    return apart, {k: found_per_part[0][k] for k in keys}


def _pages(call: Call, query: dict) -> dict[str, list[tuple[int, str]]]:
    """Each matching document's pages, in page order (search_after, page by page)."""
    found: dict[str, list[tuple[int, str]]] = {}
    after = None
    while True:
        body: dict[str, Any] = {"query": query, "size": PAGES_PER_REQUEST,
                                "track_total_hits": False, "_source": ["doc", "page"],
                                "sort": [{"doc": "asc"}, {"page": "asc"}]}  # fmt: skip
        if after is not None:
            body["search_after"] = after
        hits = call(body)["hits"]["hits"]
        for hit in hits:
            found.setdefault(hit["_source"]["doc"], []).append((hit["_source"]["page"], hit["_id"]))
        if len(hits) < PAGES_PER_REQUEST:
            return found
        after = hits[-1]["sort"]


def _ranking(query: dict, start: int, count: int) -> dict:
    """Documents ranked by their best page, ``count`` from ``start`` (no pages: inner hits
    cost the cluster one search per document listed)."""
    return {"query": query, "from": start, "size": count, "track_total_hits": False,
            "track_scores": True, "_source": False, "sort": [{"_score": "desc"}, {"doc": "asc"}],
            "collapse": {"field": "doc"}}  # fmt: skip


def _ranked(answer: dict) -> list[tuple[str, float]]:
    return [(hit["fields"]["doc"][0], hit["_score"] or 0.0) for hit in answer["hits"]["hits"]]


def _best_pages(
    call: Call, query: dict, listed: list[tuple[str, float]], per_document: int
) -> dict[str, tuple[float, list[dict]]]:
    """The listed documents' best pages (at most INNER_WINDOW each) with their scores, in
    one request: top hits per document of a terms aggregation over just those documents
    (by map: no global ordinals of every document, rebuilt after each write).
    Measured on 3 nodes: p50 31 ms, where a collapse's inner hits took 61–142 ms."""
    if not listed:
        return {}
    keys = [key for key, _ in listed]
    body = {
        "query": _within(query, [], [], [{"terms": {"doc": keys}}]), "size": 0,
        "track_total_hits": False,
        "aggs": {"docs": {"terms": {"field": "doc", "size": len(keys), "execution_hint": "map"},
                          "aggs": {"best": {
            "top_hits": {"size": min(per_document, INNER_WINDOW), "_source": SHOWN,
                         "sort": [{"_score": "desc"}, {"page": "asc"}]},
        }}}},
    }  # fmt: skip
    pages = {bucket["key"]: [h["_source"] for h in bucket["best"]["hits"]["hits"]]
             for bucket in call(body)["aggregations"]["docs"]["buckets"]}  # fmt: skip
    return {key: (score, pages[key]) for key, score in listed if key in pages}


def _sources(call: Call, visible: list, ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    body = {"query": _within({"ids": {"values": ids}}, visible), "size": len(ids),
            "_source": SHOWN, "track_total_hits": False}  # fmt: skip
    return {hit["_id"]: hit["_source"] for hit in call(body)["hits"]["hits"]}


def _facets(found) -> dict[str, dict[str, int]]:
    counts = {name: Counter() for name in FACETS}
    for item in found:
        for name in FACETS:
            value = item.facets.get(name)
            if value:
                counts[name][value] += 1
    return {name: dict(c.most_common()) for name, c in counts.items()}


def _hit(pages: list[dict], score: float, wanted: Wanted | None) -> DocumentHit:
    best = pages[0]
    return DocumentHit(
        document_id=int(best["doc"]),
        title=best.get("heading") or None,
        original_name=best.get("original_name", ""),
        kind=best.get("kind", ""),
        aktenzeichen=best.get("aktenzeichen") or None,
        address=best.get("address") or None,
        date=dt.date.fromisoformat(best["date"]) if best.get("date") else None,
        score=score,
        pages=[PageHit(p["page"], _snippet(p, wanted)) for p in pages],
    )


def _snippet(page: dict, wanted: Wanted | None) -> str:
    return snippet(page.get("body") or "", wanted) if wanted is not None else ""
