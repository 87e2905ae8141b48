"""A node of the OpenSearch cluster killed while people search and while the outbox
drains: no search fails, no page is lost or doubled, and the node comes back.

Its own three-node cluster (the session's stays whole for the other tests); each
index has one replica, so every shard survives the loss of any one node.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from indexer.backend import IndexBusy, IndexUnusable
from indexer.opensearch_backend import OpenSearchBackend
from indexer.results import Limits
from tests.search_cluster import OpenSearchCluster, OpenSearchNode

from .conftest import Source
from .test_conformance import STAFF, page

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]  # a killed node's waits add up

DOCUMENTS = 600


@pytest.fixture(scope="module")
def cluster() -> Iterator[OpenSearchCluster]:
    made = OpenSearchCluster(3)
    try:
        made.start()
        yield made
    finally:
        made.stop()


@pytest.fixture
def backend(cluster: OpenSearchCluster, request) -> Iterator[OpenSearchBackend]:
    made = OpenSearchBackend(cluster.urls, f"f-{request.node.name[:20].lower()}", replicas="1")
    made.ensure()
    yield made
    made.close()
    for node in cluster.nodes:  # the next test starts with the whole cluster
        if node not in cluster.alive():
            node.start()
    cluster.wait_for(3, status="green")


def _archive(documents: int) -> Source:
    source = Source()
    for n in range(1, documents + 1):
        source.put(n, [page(n, 1, f"Baugenehmigung Nummer {n} für das Dachgeschoss", n % 40 + 1),
                       page(n, 2, f"Statik Seite zwei von Vorgang {n}", n % 40 + 1)])  # fmt: skip
    return source


def _primary_node(cluster: OpenSearchCluster, backend: OpenSearchBackend) -> OpenSearchNode:
    """The node holding the primary copy of the live index's shard (the worst to lose)."""
    shards = backend.client.cat.shards(index=backend.generation(), format="json")
    [name] = {s["node"] for s in shards if s["prirep"] == "p"}
    return next(node for node in cluster.nodes if node.name == name)


class Searching:
    """Searches in two threads until stopped; every answer and every failure is kept."""

    def __init__(self, backend: OpenSearchBackend) -> None:
        self.backend = backend
        self.totals: list[int] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run) for _ in range(2)]

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                found = self.backend.search("Dachgeschoss", STAFF, per_page=5, limits=LIMITS)
                self.totals.append(found.total)
            except BaseException as exc:  # any failure fails the test
                self.errors.append(exc)

    def __enter__(self) -> Searching:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


LIMITS = Limits(seconds=60.0)
"""A search may wait for the cluster to notice the dead node (its retries take seconds)."""


def test_a_node_killed_during_searches_fails_no_search(cluster, backend) -> None:
    source = _archive(DOCUMENTS)
    assert backend.sync(source) == DOCUMENTS
    with Searching(backend) as searching:
        time.sleep(1.0)
        _primary_node(cluster, backend).kill()
        cluster.wait_for(2, status="yellow", timeout=120)
        time.sleep(2.0)
        before = len(searching.totals)
        answering = time.monotonic() + 60
        while len(searching.totals) <= before and time.monotonic() < answering:
            time.sleep(0.2)
        assert len(searching.totals) > before  # still answering with a node gone
    assert searching.errors == []
    assert set(searching.totals) == {DOCUMENTS}
    killed = next(node for node in cluster.nodes if node not in cluster.alive())
    killed.start()
    cluster.wait_for(3, status="green", timeout=180)  # the node rejoins, its copies recover
    assert backend.search("Dachgeschoss", STAFF, limits=LIMITS).total == DOCUMENTS


def test_a_node_killed_during_a_sync_loses_and_doubles_no_page(cluster, backend) -> None:
    source = _archive(DOCUMENTS)
    failures: list[BaseException] = []

    def drain() -> None:
        try:
            backend.sync(source)
        except (IndexUnusable, IndexBusy, OSError) as exc:
            failures.append(exc)

    syncing = threading.Thread(target=drain)
    syncing.start()
    deadline = time.monotonic() + 60
    while len(source.queued) > DOCUMENTS * 3 // 4 and time.monotonic() < deadline:
        time.sleep(0.02)  # a few batches are in; most are still queued
    _primary_node(cluster, backend).kill()
    syncing.join(180)
    assert not syncing.is_alive()
    # What failed stayed queued: a second sync completes it. If the killed node took the
    # first sync's release of the writer lease with it, the lease lapses after 120 s.
    backend.sync(source, wait=180)
    assert source.queued == []
    assert backend.count() == 2 * DOCUMENTS  # every page, none twice
    assert backend.search("Dachgeschoss", STAFF, limits=LIMITS).total == DOCUMENTS
    killed = next(node for node in cluster.nodes if node not in cluster.alive())
    killed.start()
    cluster.wait_for(3, status="green", timeout=180)
    assert backend.count() == 2 * DOCUMENTS
