"""MinIO distributed over four server processes: one node stopped while objects are
written and read; reads and writes go on, and nothing is lost after it returns."""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import open_store, original_key
from tests.conftest import new_bucket
from tests.minio_cluster import MinioCluster

pytestmark = [pytest.mark.minio, pytest.mark.slow]

MB = 1024 * 1024


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[MinioCluster]:
    made = MinioCluster(tmp_path / "minio", 4)
    try:
        made.start()
        yield made
    finally:
        made.stop()


def _put(store, size: int) -> tuple[str, bytes]:
    data = os.urandom(size)
    key = original_key(hashlib.sha256(data).hexdigest())
    store.put_stream(key, io.BytesIO(data))
    return key, data


def test_a_node_stopped_while_writing_and_reading_loses_nothing(cluster) -> None:
    bucket = new_bucket()
    store = open_store(cluster.url(bucket))
    store.ensure_ready()
    written = dict(_put(store, size) for size in (0, 1, 5000, 300_000, 6 * MB, 17 * MB))
    stopped = cluster.nodes[2]
    stopped.stop()  # killed, as a crash would
    written.update(_put(store, size) for size in (10, 70_000, 2 * MB, 18 * MB))
    for key, data in written.items():  # everything readable with a node gone
        assert store.read_bytes(key) == data, key
    cluster.restart(stopped)
    # The node that was away may answer 404 for what was written without it until MinIO
    # has healed it onto its drive (as tests/web/test_minio_node_loss.py found): a proxy
    # sends reads elsewhere meanwhile. Nothing is lost: through that node too, everything
    # is whole within the deadline.
    again = open_store(stopped.url(bucket))  # read through the node that was away
    deadline = time.monotonic() + 90
    while (missing := _unreadable(again, written)) and time.monotonic() < deadline:
        time.sleep(1)
    assert missing == []
    for key, data in written.items():
        assert again.stat(key).size == len(data)


def _unreadable(store, written: dict[str, bytes]) -> list[str]:
    missing = []
    for key, data in written.items():
        try:
            assert store.read_bytes(key) == data, key  # a wrong byte is never healed
        except FileNotFoundError:
            missing.append(key)
    return missing
