"""Whoosh's top-k search once listed pages that do not match the query (its matcher
replacement mid-search, on an index of several segments): a search then failed on a
document it had not counted.  300 queries over a generated archive of 3,000 pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.search_corpus import corpus, queries
from indexer.query import Budget, parse
from indexer.retrieval import _bounded, search
from indexer.store import IndexStore
from indexer.whoosh_lookup import WhooshLookup
from indexer.writer import apply
from tests.indexer.test_search import ALL


@dataclass
class Change:
    document_id: int
    pages: list


def _several_segments(root: Path, pages: int = 3000) -> IndexStore:
    by_document: dict[int, list] = {}
    for record in corpus(pages, pages // 20):
        by_document.setdefault(record.document_id, []).append(record)
    changes = [Change(d, p) for d, p in by_document.items()]
    store = IndexStore(root)
    path, ix = store.new_generation()
    for start in range(0, len(changes), 300):  # one commit, one segment each
        apply(ix, changes[start : start + 300])
    store.switch_to(path)
    return store


def test_the_top_pages_of_a_search_are_pages_that_match(tmp_path) -> None:
    ix = _several_segments(tmp_path / "index").open()
    with ix.searcher() as searcher:
        assert len(list(searcher.leaf_searchers())) > 1
        for text in queries():
            query = parse(text, WhooshLookup(searcher, None), Budget()).query
            matching = set(searcher.search(query, limit=None).docs())
            top = _bounded(searcher, Budget(), query, None, None, limit=20)
            assert {hit.docnum for hit in top} <= matching, text
    for text in queries():
        search(ix, text, ALL, snippets=False)  # listed documents are counted documents
