"""Faults provoked on real MinIO servers: a crash mid-upload, a lost drive."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest

from storage import StorageUnavailable, open_store, original_key
from tests.conftest import new_bucket
from tests.servers import MinioServer

pytestmark = [pytest.mark.minio]

MB = 1024 * 1024


class KillAfter(io.RawIOBase):
    """Hands out ``data`` and stops the server once ``after`` bytes have gone."""

    def __init__(self, data: bytes, after: int, server: MinioServer) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._after = after
        self._server = server

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._pos >= self._after and self._server.process is not None:
            self._server.stop()
        n = min(len(buffer), MB, len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        return n


@pytest.mark.slow
def test_server_stopped_mid_upload(tmp_path: Path) -> None:
    server = MinioServer([tmp_path / "data"])
    server.start()
    try:
        url = server.url(new_bucket(), retries="1", connect_timeout="2", read_timeout="10")
        store = open_store(url)
        store.ensure_ready()
        data = os.urandom(MB) * 96
        key = "derived/upload/large.bin"

        with pytest.raises(StorageUnavailable) as failure:
            store.put_stream(key, KillAfter(data, after=40 * MB, server=server))  # type: ignore[arg-type]
        message = str(failure.value)
        assert server.endpoint in message
        assert "bauakte-test-secret-key" not in message

        server.start()  # same port, same data folder
        assert store.exists(key) is False
        assert [o.key for o in store.list("derived/")] == []

        result = store.put_stream(key, io.BytesIO(data))
        assert result.sha256 == hashlib.sha256(data).hexdigest()
        assert store.stat(key).size == len(data)
    finally:
        server.stop()


def test_unreachable_server_is_storage_unavailable(tmp_path: Path) -> None:
    server = MinioServer([tmp_path / "data"])  # never started
    store = open_store(server.url("bucket", retries="1", connect_timeout="1"))
    with pytest.raises(StorageUnavailable) as failure:
        store.stat("derived/x")
    assert server.endpoint in str(failure.value)
    assert "bauakte-test-secret-key" not in str(failure.value)


@pytest.mark.slow
def test_erasure_set_survives_a_lost_drive(tmp_path: Path) -> None:
    drives = [tmp_path / f"d{i}" for i in range(1, 5)]
    server = MinioServer(drives)
    server.start()
    try:
        store = open_store(server.url(new_bucket()))
        store.ensure_ready()
        written: dict[str, bytes] = {}
        for size in (0, 1, 1000, 300_000, 5 * MB, 20 * MB):
            data = os.urandom(size)
            key = original_key(hashlib.sha256(data).hexdigest())
            store.put_stream(key, io.BytesIO(data))
            written[key] = data

        shutil.rmtree(drives[1])

        for key, data in written.items():
            assert store.read_bytes(key) == data, key
        for size in (10, 2 * MB, 18 * MB):
            data = os.urandom(size)
            key = f"derived/after-loss/{size}"
            result = store.put_stream(key, io.BytesIO(data))
            assert result.sha256 == hashlib.sha256(data).hexdigest()
            assert store.read_bytes(key) == data
    finally:
        server.stop()
