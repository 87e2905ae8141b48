"""Search: index build and query latency, beside SQLite FTS5 and tantivy on the same corpus.

    python bench/search_bench.py [--pages 100000] [--files 5000] [--clients 8] [--no-references]

The corpus (bench/search_corpus.py) is synthetic, deterministic German text:
a Zipf-like vocabulary plus building-authority terms, 150-400 words a page.
300 fixed queries (100 of one, two and three terms), top 20 documents with
exact totals.  Whoosh is measured through Bauakte's own search (grouping per
document, facets, fuzzy fallback), plain, with a permission filter to 50
building files, and with that filter plus highlighted snippets; FTS5 and
tantivy get the same words as an AND query, plain and filtered.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import corpus, queries

from indexer.analysis import fold
from indexer.reader import IndexReader
from indexer.retrieval import search
from indexer.store import IndexStore
from indexer.writer import apply


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    unredacted: bool = False
    building_file_ids: frozenset[int] = field(default_factory=frozenset)
    document_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass
class Change:
    document_id: int
    pages: list


def percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    pick = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]  # noqa: E731
    return f"p50 {pick(0.5):6.1f}  p95 {pick(0.95):6.1f}  p99 {pick(0.99):6.1f} ms"


def p95(ms: list[float]) -> float:
    return sorted(ms)[int(0.95 * len(ms))]


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def build_whoosh(records, root: Path) -> float:
    docs: dict[int, list] = {}
    for r in records:
        docs.setdefault(r.document_id, []).append(r)
    store = IndexStore(root)
    path, ix = store.new_generation()
    changes = [Change(d, p) for d, p in docs.items()]
    start = time.perf_counter()
    for i in range(0, len(changes), 5000):
        apply(ix, changes[i : i + 5000], procs=os.cpu_count() or 1)
    store.switch_to(path)
    return time.perf_counter() - start


def time_queries(run, qs: list[str]) -> list[float]:
    out = []
    for text in qs:
        start = time.perf_counter()
        run(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _client(args) -> list[float]:
    root, qs, scope = args
    reader = IndexReader(IndexStore(root).open)
    return time_queries(lambda t: search(reader, t, scope), qs)


def build_fts5(records, path: Path) -> float:
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE pages USING fts5(text, bf UNINDEXED, doc UNINDEXED, "
               "tokenize='unicode61 remove_diacritics 2')")  # fmt: skip
    start = time.perf_counter()
    db.executemany("INSERT INTO pages VALUES (?, ?, ?)",
                   ((r.text, r.building_file_id, r.document_id) for r in records))  # fmt: skip
    db.commit()
    seconds = time.perf_counter() - start
    db.close()
    return seconds


def fts5_runner(path: Path, bfs: list[int] | None):
    db = sqlite3.connect(path)
    where = f" AND bf IN ({','.join(map(str, bfs))})" if bfs else ""

    def run(text: str) -> None:
        match = " AND ".join(f'"{w}"' for w in fold(text).split())
        db.execute(f"SELECT count(*) FROM pages WHERE pages MATCH ?{where}", (match,)).fetchone()
        db.execute(f"SELECT doc FROM pages WHERE pages MATCH ?{where} ORDER BY rank LIMIT 20",
                   (match,)).fetchall()  # fmt: skip

    return run


def build_tantivy(records, path: Path):
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", stored=False)
    sb.add_integer_field("bf", indexed=True, fast=True)
    index = tantivy.Index(sb.build(), path=str(path))
    writer = index.writer(heap_size=256_000_000)
    start = time.perf_counter()
    for r in records:
        writer.add_document(tantivy.Document(text=r.text, bf=r.building_file_id))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return time.perf_counter() - start, index


def tantivy_runner(index, bfs: list[int] | None):
    searcher = index.searcher()
    extra = f" AND bf: IN [{' '.join(map(str, bfs))}]" if bfs else ""

    def run(text: str) -> int:
        words = " AND ".join(fold(text).split())
        return searcher.search(
            index.parse_query(f"({words}){extra}", ["text"]), 20, count=True
        ).count

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description="Search benchmark")
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--no-references", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bauakte-search-bench-"))
    print(f"machine: {os.cpu_count()} cores; corpus {args.pages} pages / {args.files} files")
    records = list(corpus(args.pages, args.files))
    qs = queries()
    fifty = sorted(random.Random(3).sample(range(1, args.files + 1), 50))
    everything, filtered = Scope(everything=True), Scope(building_file_ids=frozenset(fifty))
    try:
        seconds = build_whoosh(records, work / "whoosh")
        print(f"whoosh build: {args.pages / seconds:.0f} pages/s ({seconds:.0f} s), "
              f"{size_mb(work / 'whoosh'):.0f} MB")  # fmt: skip
        reader = IndexReader(IndexStore(work / "whoosh").open)
        search(reader, "Baugenehmigung", everything)  # warm up
        results: dict[str, list[float]] = {}
        results["plain"] = time_queries(lambda t: search(reader, t, everything, snippets=False), qs)
        results["filter 50"] = time_queries(
            lambda t: search(reader, t, filtered, snippets=False), qs
        )
        results["filter 50 + highlights"] = time_queries(lambda t: search(reader, t, filtered), qs)
        for name, ms in results.items():
            print(f"whoosh {name:<24} {percentiles(ms)}")
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            per_client = pool.map(_client, [(work / "whoosh", qs, filtered)] * args.clients)
        together = [x for ms in per_client for x in ms]
        print(f"whoosh {args.clients} clients, filter+hl  {percentiles(together)}")
        if args.no_references:
            return
        seconds = build_fts5(records, work / "fts5.db")
        fts_mb = (work / "fts5.db").stat().st_size / 2**20
        print(f"fts5 build: {args.pages / seconds:.0f} pages/s, {fts_mb:.0f} MB")
        fts_plain = time_queries(fts5_runner(work / "fts5.db", None), qs)
        fts_filter = time_queries(fts5_runner(work / "fts5.db", fifty), qs)
        print(f"fts5 plain                      {percentiles(fts_plain)}")
        print(f"fts5 filter 50                  {percentiles(fts_filter)}")
        (work / "tantivy").mkdir()
        seconds, index = build_tantivy(records, work / "tantivy")
        print(
            f"tantivy build: {args.pages / seconds:.0f} pages/s, {size_mb(work / 'tantivy'):.0f} MB"
        )
        hits = sum(tantivy_runner(index, None)(t) for t in qs)
        print(f"tantivy matched pages over all queries: {hits}")
        tv_plain = time_queries(tantivy_runner(index, None), qs)
        tv_filter = time_queries(tantivy_runner(index, fifty), qs)
        print(f"tantivy plain                   {percentiles(tv_plain)}")
        print(f"tantivy filter 50               {percentiles(tv_filter)}")
        print("ratios of p95 (whoosh / reference): "
              f"plain vs fts5 {p95(results['plain']) / p95(fts_plain):.1f}x, "
              f"vs tantivy {p95(results['plain']) / p95(tv_plain):.0f}x; "
              f"filtered vs fts5 {p95(results['filter 50']) / p95(fts_filter):.1f}x, "
              f"vs tantivy {p95(results['filter 50']) / p95(tv_filter):.0f}x")  # fmt: skip
        print(f"median words/page {statistics.median(len(r.text.split()) for r in records[:1000])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
