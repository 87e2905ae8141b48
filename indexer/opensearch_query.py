"""The parsed query and the user's scope as OpenSearch query DSL, and the parser's
questions (is this word on a page the user may see? which spellings are near it?)
answered by the cluster in one request each.

The parser builds its query from the node classes of ``whoosh.query`` (Term, And,
Or, Phrase, NumericRange): plain data, translated here node by node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from whoosh import query as q

from .lookup import Pair, swapped
from .results import Scope

NOTHING: dict[str, Any] = {"match_none": {}}
SUGGESTIONS = (200, 2000, 20_000)
"""How many near spellings of a fuzzy word to ask the cluster for, in turn, until it has no
more (20,000 at most): the scope sifts them afterwards, so a spelling the user may see is
not crowded out by spellings in files they may not see."""


def translate(node: q.Query) -> dict[str, Any]:
    """One query node as DSL (a word of ``text`` also matches ``text_more``: its parts)."""
    boost = getattr(node, "boost", 1.0)
    if isinstance(node, type(q.NullQuery)):
        return NOTHING
    if isinstance(node, q.Term):
        text = node.text.decode() if isinstance(node.text, bytes) else node.text
        if node.fieldname == "text":
            either = [{"term": {"text": text}}, {"term": {"text_more": text}}]
            return {"dis_max": {"queries": either, "boost": boost}}
        return {"term": {node.fieldname: {"value": text, "boost": boost}}}
    if isinstance(node, q.Phrase):  # in order, as Whoosh's phrases (a sloppy match_phrase
        # would also take the words reversed); Whoosh's slop 1 is Lucene's 0 (adjacent)
        clauses = [{"span_term": {node.fieldname: word}} for word in node.words]
        return {"span_near": {"clauses": clauses, "slop": max(0, node.slop - 1),
                              "in_order": True, "boost": boost}}  # fmt: skip
    if isinstance(node, q.NumericRange):
        return {"range": {node.fieldname: {"gte": node.start, "lte": node.end, "boost": boost}}}
    if isinstance(node, q.And):
        return {"bool": {"must": [translate(n) for n in node.subqueries], "boost": boost}}
    if isinstance(node, q.Or):
        return {"bool": {"should": [translate(n) for n in node.subqueries],
                         "minimum_should_match": 1, "boost": boost}}  # fmt: skip
    raise TypeError(f"no OpenSearch form for query node {type(node).__name__}")


def visibility(scope: Scope) -> list[dict[str, Any]]:
    """Filter clauses of what ``scope`` may see (docstore computed it for this search):
    its building files and listed documents, and the version of redacted pages it may read."""
    other_version = {"bool": {"must_not": {"term": {"audience": _other_audience(scope)}}}}
    if scope.everything:
        return [other_version]
    allowed = [*terms_filters("bf", scope.building_file_ids),
               *terms_filters("doc", scope.document_ids)]  # fmt: skip
    if not allowed:
        return [NOTHING]
    return [other_version, {"bool": {"should": allowed, "minimum_should_match": 1}}]


MAX_TERMS = 65_536
"""Values one terms filter may hold (index.max_terms_count)."""


def terms_filters(field: str, ids) -> list[dict[str, Any]]:
    """Terms filters on ``field``, as many as the values need."""
    values = sorted(str(i) for i in ids)
    return [{"terms": {field: values[n : n + MAX_TERMS]}} for n in range(0, len(values), MAX_TERMS)]


def _other_audience(scope: Scope) -> str:
    return "public" if scope.unredacted else "staff"


def sees_nothing(scope: Scope) -> bool:
    return not scope.everything and not scope.building_file_ids and not scope.document_ids


class OpenSearchLookup:
    """A :class:`~indexer.lookup.TermLookup` for one scope: each question is one search
    whose filter is the scope, so a word on pages the user may not see counts nowhere."""

    def __init__(self, call: Callable[[dict], dict], scope: Scope, check: Callable[[], None]):
        self._call = call
        self._filter = visibility(scope)
        self._check = check
        self.nothing_visible = sees_nothing(scope)
        self._known: dict[Pair, bool] = {}

    def seen(self, pairs: Sequence[Pair]) -> set[Pair]:
        """Answered from what ``prefetch`` learnt; the rest asked in one request."""
        unknown = [pair for pair in dict.fromkeys(pairs) if pair not in self._known]
        if unknown:
            found = self._ask(unknown)
            self._known.update((pair, pair in found) for pair in unknown)
        return {pair for pair in pairs if self._known[pair]}

    def prefetch(self, pairs: Sequence[Pair]) -> None:
        """Learn the answers to the questions a parse is about to ask, in one request."""
        self.seen(pairs)

    def _ask(self, pairs: Sequence[Pair]) -> set[Pair]:
        if not pairs or self.nothing_visible:
            return set()
        self._check()
        named = {str(n): pair for n, pair in enumerate(pairs)}
        body = {
            "size": 0, "track_total_hits": False, "query": {"bool": {"filter": self._filter}},
            "aggs": {"seen": {"filters": {"filters": {
                key: translate(q.Term(field, text)) for key, (field, text) in named.items()
            }}}},
        }  # fmt: skip
        buckets = self._call(body)["aggregations"]["seen"]["buckets"]
        return {named[key] for key, bucket in buckets.items() if bucket["doc_count"]}

    def near(self, folded: str, distance: int, limit: int) -> list[str]:
        if self.nothing_visible:
            return []
        options: list[str] = []
        for size in SUGGESTIONS:  # every near spelling in the index, up to the last size
            self._check()
            body = {"size": 0, "suggest": {"near": {"text": folded, "term": {
                "field": "exact", "suggest_mode": "always", "max_edits": distance,
                "prefix_length": 1, "min_word_length": 2, "size": size, "shard_size": size,
                "max_term_freq": 2**31 - 1, "accuracy": 0.0, "sort": "score",
            }}}}  # fmt: skip
            answer = self._call(body)
            options = [o["text"] for entry in answer["suggest"]["near"] for o in entry["options"]]
            if len(options) < size:
                break
        # in the order Whoosh gives (swapped letters, then alphabetical), never by how often
        # a spelling stands in files the user may not see
        candidates = list(dict.fromkeys([*swapped(folded), *sorted(options)]))
        visible = self.seen([("exact", c) for c in candidates])
        return [c for c in candidates if ("exact", c) in visible][:limit]
