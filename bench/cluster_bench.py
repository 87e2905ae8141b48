"""Search at city scale on a three-node OpenSearch cluster, beside Whoosh and tantivy.

    python bench/cluster_bench.py [--pages 1000000] [--files 50000] [--clients 8]
                                  [--heap 2g] [--no-references]

The corpus is bench/search_corpus.py's (synthetic German pages, 150-400 words).  The
cluster is the test suite's (tests/search_cluster.py: three nodes on loopback, one
replica).  Bauakte's own search runs on it (the query parser, the permission filter,
exact totals, facets, snippets): 300 queries plain, filtered to 50 building files, and
filtered with snippets, by 1 client and by ``--clients`` processes at once.  Memory:
the peak RSS of one searching process (a web worker's share) and of the cluster's
nodes.  References in the same run: Whoosh through the same search, built for as long
as the cluster's build took (the largest size it reaches in that time), and tantivy
(the library) on the full corpus with the same words as an AND query.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import Change, Scope, build_tantivy, percentiles, tantivy_runner
from search_bench import time_queries as _time_queries
from search_corpus import corpus, queries

from indexer.opensearch_backend import OpenSearchBackend
from indexer.reader import IndexReader
from indexer.results import Limits, QueryRefused
from indexer.retrieval import search as whoosh_search
from indexer.store import IndexStore
from indexer.writer import apply
from tests import search_cluster


@dataclass
class CorpusSource:
    """All documents of the synthetic corpus, streamed (1M pages do not fit a list well)."""

    pages: int
    files: int

    def all_documents(self) -> Iterator[Change]:
        current: list = []
        for record in corpus(self.pages, self.files):
            if current and current[0].document_id != record.document_id:
                yield Change(current[0].document_id, current)
                current = []
            current.append(record)
        if current:
            yield Change(current[0].document_id, current)

    def watermark(self) -> int:
        return 0

    def acknowledge_through(self, mark: int) -> None:
        pass


REFUSED: list[str] = []
WARM_UP = Limits(seconds=60)
"""The first search of a fresh index fills its caches: no budget of 1 s for it."""


def time_queries(run, qs: list[str]) -> list[float]:
    """As search_bench's, a refused query (past the 1 s budget) timed and counted."""

    def guarded(text: str) -> None:
        try:
            run(text)
        except QueryRefused:
            REFUSED.append(text)

    return _time_queries(guarded, qs)


def show(name: str, ms: list[float]) -> None:
    refused, REFUSED[:] = len(REFUSED), []
    print(f"{name:<36} {percentiles(ms)}" + (f"  ({refused} refused at 1 s)" if refused else ""))


def rss_mb(pid: int) -> float:
    """Resident memory of one process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cluster_rss_mb(cluster: search_cluster.OpenSearchCluster) -> list[float]:
    """Each node's JVM (the child of the runuser/launcher process) in MB."""
    sizes = []
    for node in cluster.nodes:
        out = subprocess.run(["pgrep", "-f", f"node.name={node.name}"], capture_output=True,
                             text=True).stdout.split()  # fmt: skip
        sizes.append(max((rss_mb(int(pid)) for pid in out if pid.isdigit()), default=0.0))
    return sizes


def _client(args) -> tuple[list[float], float]:
    urls, prefix, qs, scope = args
    backend = OpenSearchBackend(urls, prefix)
    timings = time_queries(lambda t: backend.search(t, scope), qs)
    return timings, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(REFUSED)


def build_whoosh_for(seconds: float, pages: int, files: int, root: Path) -> int:
    """Whoosh fed document by document for ``seconds`` (its build rate decides the size)."""
    store = IndexStore(root)
    path, ix = store.new_generation()
    start, done, chunk = time.perf_counter(), 0, []
    for change in CorpusSource(pages, files).all_documents():
        chunk.append(change)
        if len(chunk) >= 2000:
            apply(ix, chunk, procs=os.cpu_count() or 1)
            done += sum(len(c.pages) for c in chunk)
            chunk = []
            if time.perf_counter() - start > seconds:
                break
    store.switch_to(path)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description="Search on an OpenSearch cluster")
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--no-references", action="store_true")
    parser.add_argument("--references-only", type=float, metavar="SECONDS",
                        help="skip the cluster; build Whoosh for SECONDS (the cluster's build "
                             "time of an earlier run), then tantivy")  # fmt: skip
    args = parser.parse_args()
    if args.references_only:
        print(f"machine: {os.cpu_count()} cores; corpus {args.pages} pages / {args.files} files; "
              "references only")  # fmt: skip
        work = Path(tempfile.mkdtemp(prefix="bauakte-cluster-bench-"))
        try:
            fifty = frozenset(random.Random(3).sample(range(1, args.files + 1), 50))
            references(args, args.references_only, work, fifty)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    search_cluster.HEAP = args.heap
    print(f"machine: {os.cpu_count()} cores; corpus {args.pages} pages / {args.files} files; "
          f"3 OpenSearch nodes, heap {args.heap} each")  # fmt: skip
    qs = queries()
    fifty = frozenset(random.Random(3).sample(range(1, args.files + 1), 50))
    everything, filtered = Scope(everything=True), Scope(building_file_ids=fifty)
    cluster = search_cluster.OpenSearchCluster(3)
    work = Path(tempfile.mkdtemp(prefix="bauakte-cluster-bench-"))
    try:
        cluster.start()
        backend = OpenSearchBackend(cluster.urls, "bench", replicas="1")
        start = time.perf_counter()
        backend.rebuild(CorpusSource(args.pages, args.files))
        build = time.perf_counter() - start
        print(f"opensearch build: {args.pages / build:.0f} pages/s ({build:.0f} s), "
              f"{backend.count()} index documents")  # fmt: skip
        time_queries(lambda t: backend.search(t, filtered), qs[:20])  # warm up
        REFUSED.clear()
        results = {
            "plain": time_queries(lambda t: backend.search(t, everything, snippets=False), qs),
            "filter 50": time_queries(lambda t: backend.search(t, filtered, snippets=False), qs),
            "filter 50 + snippets": time_queries(lambda t: backend.search(t, filtered), qs),
        }
        for name, ms in results.items():
            show(f"opensearch {name}", ms)
        with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
            runs = pool.map(_client, [(cluster.urls, "bench", qs, filtered)] * args.clients)
        REFUSED.extend("" for r in runs for _ in range(r[2]))
        show(f"opensearch {args.clients} clients, filter+snip", [x for r in runs for x in r[0]])
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        nodes = ", ".join(f"{m:.0f}" for m in cluster_rss_mb(cluster))
        print(f"memory: searching process peak {own:.0f} MB (each client process at most "
              f"{max(r[1] for r in runs):.0f} MB); nodes {nodes} MB")  # fmt: skip
        if not args.no_references:
            references(args, build, work, fifty)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def references(args, build: float, work: Path, fifty: frozenset[int]) -> None:
    """Whoosh built for as long as the cluster's build took, then tantivy on the corpus."""
    qs, everything = queries(), Scope(everything=True)
    reached = build_whoosh_for(build, args.pages, args.files, work / "whoosh")
    print(f"whoosh: {reached} pages built in the cluster's build time "
          f"({reached / build:.0f} pages/s)")  # fmt: skip
    reader = IndexReader(IndexStore(work / "whoosh").open)
    whoosh_search(reader, "Baugenehmigung", everything, limits=WARM_UP)  # caches filled
    built_files = max(50, reached * args.files // args.pages)  # 50 of the files it holds
    wf = Scope(building_file_ids=frozenset(random.Random(3).sample(range(1, built_files + 1), 50)))
    show("whoosh filter 50 + snippets",
         time_queries(lambda t: whoosh_search(reader, t, wf), qs))  # fmt: skip
    show("whoosh plain", time_queries(
        lambda t: whoosh_search(reader, t, everything, snippets=False), qs))  # fmt: skip
    (work / "tantivy").mkdir()
    records = (r for c in CorpusSource(args.pages, args.files).all_documents() for r in c.pages)
    seconds, index = build_tantivy(records, work / "tantivy")
    print(f"tantivy build: {args.pages / seconds:.0f} pages/s")
    show("tantivy plain", time_queries(tantivy_runner(index, None), qs))
    show("tantivy filter 50", time_queries(tantivy_runner(index, sorted(fifty)), qs))


if __name__ == "__main__":
    main()
