"""The cluster-wide writer lease: one writer at a time, a dead writer overtaken, and no
decision made on the hosts' clocks."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from indexer import opensearch_lease
from indexer.errors import IndexBusy
from indexer.opensearch_backend import OpenSearchBackend
from indexer.opensearch_lease import Lease


@pytest.fixture
def backend(opensearch_cluster):
    prefix = f"l-{uuid.uuid4().hex[:10]}"
    found = OpenSearchBackend(opensearch_cluster.urls, prefix)
    yield found
    found.close()
    opensearch_cluster.drop_indexes(prefix)


def lease(backend: OpenSearchBackend, wait: float) -> Lease:
    return Lease(backend.client, backend.lock_index, backend._guarded, wait)


def test_a_dead_writer_is_overtaken_once_its_lease_stood_unrenewed(backend, monkeypatch) -> None:
    monkeypatch.setattr(opensearch_lease, "LEASE_SECONDS", 6.0)  # margins for a loaded box
    dead = lease(backend, 1.0)
    dead.take()  # and never gives it back
    started = time.monotonic()
    with pytest.raises(IndexBusy):
        lease(backend, 3.0).take()
    second = lease(backend, 30.0)
    began = time.monotonic()
    second.take()  # the watch begun by the first wait counts
    assert time.monotonic() - began < 5.5  # less than a whole lease of its own watching
    assert time.monotonic() - started >= 6.0
    with pytest.raises(IndexBusy):
        dead.renew()  # it learns it lost the lease before acknowledging anything
    second.renew()
    second.give_back()
    lease(backend, 0.5).take()  # free again


def test_a_live_writer_is_not_overtaken_by_a_waiter_whose_clock_is_ahead(
    backend, monkeypatch
) -> None:
    monkeypatch.setattr(opensearch_lease, "LEASE_SECONDS", 10.0)  # renewals may stall a while
    live = lease(backend, 1.0)
    live.take()
    stop = threading.Event()

    def keep_renewing() -> None:
        while not stop.wait(0.3):
            live.renew()

    renewer = threading.Thread(target=keep_renewing)
    renewer.start()
    try:
        true_time = time.time
        live._body = lambda: {"holder": live.holder, "at": true_time()}  # its host is right
        ahead = 300  # the waiting host's clock is five minutes ahead
        monkeypatch.setattr(opensearch_lease.time, "time", lambda: true_time() + ahead)
        with pytest.raises(IndexBusy):  # longer than a lease: only the renewals keep it
            lease(backend, 25.0).take()
    finally:
        stop.set()
        renewer.join()
    live.renew()  # still its own


def test_a_fresh_process_overtakes_a_lease_left_long_ago(backend, monkeypatch) -> None:
    dead = lease(backend, 1.0)
    true_time = time.time
    dead._body = lambda: {"holder": dead.holder, "at": true_time() - 3600}  # an hour ago
    dead.take()
    opensearch_lease._OBSERVED.clear()  # a new process: it never watched this lease
    lease(backend, 30.0).take()
