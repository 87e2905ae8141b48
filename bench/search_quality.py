"""Search quality on judged queries: Bauakte's search beside plain Whoosh with German stemming.

    python bench/search_quality.py [--files 240] [--verbose]

The archive and the queries come from bench/quality_corpus.py: building files whose
every sentence is known, so each query's answers are known without asking a search
engine (addresses and file numbers as people type them, a kind at an address, words,
compound parts, typos, two words on different pages).  Both systems index the same
pages, one index entry per page, and list documents: Bauakte through its own search
(indexer.retrieval), the reference as plain Whoosh with its German analyzer
(LanguageAnalyzer("de")) over text, title, street and file number, all words required,
pages grouped per document in score order.  Printed per kind of query and overall:
recall@20, nDCG@10 (grades 2 and 1) and MRR.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality_corpus import Doc, Query, archive, queries
from search_bench import Change, Scope
from whoosh import index as whoosh_index
from whoosh.analysis import LanguageAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser

from indexer.reader import IndexReader
from indexer.records import PageRecord
from indexer.retrieval import search
from indexer.store import IndexStore
from indexer.writer import apply

TOP = 20


EVERYTHING = Scope(everything=True, unredacted=True)
"""An auditor's scope: the quality of ranking, not of permissions, is measured here."""


def records(doc: Doc) -> list[PageRecord]:
    bf = doc.file
    return [
        PageRecord(
            page_id=doc.id * 100 + n, document_id=doc.id, page_number=n, text=text,
            text_source="ocr" if doc.year < 1990 else "pdf", original_name=f"{doc.id}.pdf",
            kind=doc.kind, building_file_id=bf.id, aktenzeichen=bf.aktenzeichen,
            street=bf.street, house_number=bf.house_number, postcode=bf.postcode,
            municipality="Köln",
        )
        for n, text in enumerate(doc.pages, start=1)
    ]  # fmt: skip


class Bauakte:
    name = "Bauakte"

    def __init__(self, docs: list[Doc], folder: Path) -> None:
        store = IndexStore(folder / "bauakte")
        apply(store.create_empty(), [Change(d.id, records(d)) for d in docs])
        self.reader = IndexReader(store.open)  # long-lived, as a web worker holds it

    def ranked(self, text: str) -> list[int]:
        found = search(self.reader, text, EVERYTHING, per_page=TOP, snippets=False)
        return [hit.document_id for hit in found.results]


class PlainWhoosh:
    name = "plain Whoosh (German stemming)"

    def __init__(self, docs: list[Doc], folder: Path) -> None:
        german = LanguageAnalyzer("de")
        schema = Schema(doc=ID(stored=True), text=TEXT(analyzer=german),
                        title=TEXT(analyzer=german), street=TEXT(analyzer=german),
                        az=TEXT(analyzer=german))  # fmt: skip
        (folder / "plain").mkdir()
        self.ix = whoosh_index.create_in(str(folder / "plain"), schema)
        writer = self.ix.writer()
        for doc in docs:
            for record in records(doc):
                writer.add_document(
                    doc=str(doc.id), text=record.text, title="",
                    street=f"{record.street} {record.house_number}", az=record.aktenzeichen,
                )  # fmt: skip
        writer.commit()
        self.parser = MultifieldParser(["text", "title", "street", "az"], schema, group=AndGroup)

    def ranked(self, text: str) -> list[int]:
        with self.ix.searcher() as searcher:
            hits = searcher.search(self.parser.parse(text), limit=TOP * 10)
            order: list[int] = []
            for hit in hits:
                doc = int(hit["doc"])
                if doc not in order:
                    order.append(doc)
                if len(order) == TOP:
                    break
            return order


def recall(ranked: list[int], grades: dict[int, int]) -> float:
    return len(set(ranked[:TOP]) & set(grades)) / min(len(grades), TOP)


def ndcg(ranked: list[int], grades: dict[int, int], k: int = 10) -> float:
    gain = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return gain / best if best else 0.0


def reciprocal_rank(ranked: list[int], grades: dict[int, int]) -> float:
    return next((1 / (i + 1) for i, d in enumerate(ranked) if d in grades), 0.0)


def measure(system, judged: list[Query], verbose: bool) -> dict[str, tuple[float, float, float]]:
    by_kind: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for query in judged:
        ranked = system.ranked(query.text)
        figures = (recall(ranked, query.grades), ndcg(ranked, query.grades),
                   reciprocal_rank(ranked, query.grades))  # fmt: skip
        by_kind[query.kind].append(figures)
        by_kind["all"].append(figures)
        if verbose and figures[0] < 1:
            missed = sorted(set(query.grades) - set(ranked))[:8]
            print(f"  {system.name[:7]} {query.kind:16} {query.text!r}: recall "
                  f"{figures[0]:.2f}, missed {missed}")  # fmt: skip
    return {k: tuple(sum(f[i] for f in v) / len(v) for i in range(3)) for k, v in by_kind.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=240)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    docs = archive(files=args.files)
    judged = queries(docs)
    pages = sum(len(d.pages) for d in docs)
    print(f"machine: {os.cpu_count()} cores; {args.files} building files, {len(docs)} documents, "
          f"{pages} pages; {len(judged)} judged queries")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for kind in (Bauakte, PlainWhoosh):
            start = time.perf_counter()
            system = kind(docs, Path(tmp))
            built = time.perf_counter() - start
            start = time.perf_counter()
            results[system.name] = measure(system, judged, args.verbose)
            took = (time.perf_counter() - start) / len(judged) * 1000
            print(f"{system.name}: index built in {built:.1f} s, {took:.1f} ms a query")
    print_table(results, judged)


def print_table(results: dict[str, dict[str, tuple[float, float, float]]],
                judged: list[Query]) -> None:  # fmt: skip
    """Recall@20, nDCG@10 and MRR per kind of query, one column group per system."""
    kinds = [*sorted({q.kind for q in judged}), "all"]
    counts = {k: sum(1 for q in judged if q.kind == k) for k in kinds[:-1]} | {"all": len(judged)}
    names = list(results)
    print(f"\n{'queries':22} {'n':>4}  " + "  ".join(f"{n[:30]:>30}" for n in names))
    print(f"{'':22} {'':>4}  " + "  ".join(f"{'recall@20 nDCG@10   MRR':>30}" for _ in names))
    for kind in kinds:
        cells = [" ".join(f"{v:8.3f}" for v in results[n].get(kind, (0, 0, 0))) for n in names]
        print(f"{kind:22} {counts[kind]:>4}  " + "  ".join(f"{c:>30}" for c in cells))


if __name__ == "__main__":
    main()
