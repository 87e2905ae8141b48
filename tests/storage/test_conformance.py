"""One behaviour contract for every ObjectStore: filesystem, MinIO, MinIO erasure set."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest

from storage import (
    ContentMismatch,
    ImmutableObject,
    InvalidKey,
    ObjectStore,
    derived_key,
    original_key,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class OneWay(io.RawIOBase):
    """A stream that cannot seek and hands out small pieces, like a socket."""

    def __init__(self, data: bytes, piece: int = 7000) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._piece = piece

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self._piece, len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        return n


def test_put_stream_returns_digest_and_reads_back(store: ObjectStore) -> None:
    data = os.urandom(300_000)
    result = store.put_stream("derived/x/a.bin", io.BytesIO(data))
    assert (result.key, result.size, result.sha256, result.created) == (
        "derived/x/a.bin",
        len(data),
        sha(data),
        True,
    )
    assert store.read_bytes("derived/x/a.bin") == data
    info = store.stat("derived/x/a.bin")
    assert info.size == len(data)
    assert info.key == "derived/x/a.bin"


def test_put_file_and_streaming_read(store: ObjectStore, tmp_path) -> None:
    data = os.urandom(2_500_000)
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    result = store.put_file("derived/y/b.bin", path)
    assert result.sha256 == sha(data)
    got = bytearray()
    with store.open("derived/y/b.bin") as stream:
        while chunk := stream.read(65536):
            got += chunk
    assert bytes(got) == data


def test_empty_object(store: ObjectStore) -> None:
    result = store.put_stream("derived/e/empty", io.BytesIO(b""))
    assert result.size == 0
    assert result.sha256 == sha(b"")
    assert store.read_bytes("derived/e/empty") == b""


def test_byte_ranges(store: ObjectStore) -> None:
    data = bytes(range(256)) * 40
    store.put_stream("derived/r/data", io.BytesIO(data))
    assert store.read_bytes("derived/r/data", start=100, length=50) == data[100:150]
    assert store.read_bytes("derived/r/data", start=10_000) == data[10_000:]
    assert store.read_bytes("derived/r/data", start=10_200, length=500) == data[10_200:]
    assert store.read_bytes("derived/r/data", start=len(data)) == b""
    assert store.read_bytes("derived/r/data", start=5, length=0) == b""


def test_missing_key(store: ObjectStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.stat("derived/none/here")
    with pytest.raises(FileNotFoundError):
        store.open("derived/none/here")
    assert store.exists("derived/none/here") is False


def test_original_is_content_addressed_and_idempotent(store: ObjectStore) -> None:
    data = b"%PDF-1.7 original bytes"
    key = original_key(sha(data))
    assert key == f"blobs/sha256/{sha(data)[:2]}/{sha(data)[2:4]}/{sha(data)}"
    first = store.put_stream(key, io.BytesIO(data))
    again = store.put_stream(key, io.BytesIO(data))
    assert first.created is True
    assert again.created is False
    assert store.stat(key).size == len(data)
    assert [o.key for o in store.list("blobs/")] == [key]


def test_original_never_takes_other_bytes(store: ObjectStore) -> None:
    data = b"the real original"
    key = original_key(sha(data))
    with pytest.raises(ContentMismatch):
        store.put_stream(key, io.BytesIO(b"forged bytes"))
    assert store.exists(key) is False  # nothing became visible
    store.put_stream(key, io.BytesIO(data))
    with pytest.raises(ContentMismatch):
        store.put_stream(key, io.BytesIO(b"forged bytes"))
    assert store.read_bytes(key) == data


def test_original_from_one_way_stream(store: ObjectStore) -> None:
    data = os.urandom(200_000)
    key = original_key(sha(data))
    result = store.put_stream(key, OneWay(data))  # type: ignore[arg-type]
    assert result.sha256 == sha(data)
    assert store.read_bytes(key) == data


def test_originals_cannot_be_deleted(store: ObjectStore) -> None:
    data = b"keep me"
    key = original_key(sha(data))
    store.put_stream(key, io.BytesIO(data))
    with pytest.raises(ImmutableObject):
        store.delete(key)
    assert store.read_bytes(key) == data


def test_derived_can_be_replaced_and_deleted(store: ObjectStore) -> None:
    key = derived_key(sha(b"x"), "p1/thumb.jpg")
    store.put_stream(key, io.BytesIO(b"old"))
    store.put_stream(key, io.BytesIO(b"new rendition"))
    assert store.read_bytes(key) == b"new rendition"
    store.delete(key)
    assert store.exists(key) is False
    store.delete(key)  # deleting what is gone is not an error


def test_copy_within_the_store(store: ObjectStore) -> None:
    data = os.urandom(700_000)
    store.put_stream("incoming/a/plan.pdf", io.BytesIO(data))
    store.put_stream("incoming/b/plan.pdf", io.BytesIO(b"an older copy"))
    assert store.copy("incoming/a/plan.pdf", "incoming/b/plan.pdf") == len(data)
    assert store.read_bytes("incoming/b/plan.pdf") == data
    store.delete("incoming/a/plan.pdf")  # two objects, not two names of one
    assert store.read_bytes("incoming/b/plan.pdf") == data
    with pytest.raises(FileNotFoundError):
        store.copy("incoming/a/plan.pdf", "incoming/c/plan.pdf")
    assert not store.exists("incoming/c/plan.pdf")
    with pytest.raises(ImmutableObject):  # an original is only ever stored from checked bytes
        store.copy("incoming/b/plan.pdf", original_key(sha(b"something else")))
    with pytest.raises(InvalidKey):
        store.copy("incoming/b/plan.pdf", "../escape")
    with pytest.raises(InvalidKey):
        store.copy("incoming/b/plan.pdf", "incoming/b/plan.pdf")
    assert store.read_bytes("incoming/b/plan.pdf") == data


def test_list_by_prefix(store: ObjectStore) -> None:
    keys = ["derived/aa/1", "derived/aa/2/x", "derived/ab/1", "other/z"]
    for k in keys:
        store.put_stream(k, io.BytesIO(k.encode()))
    assert [o.key for o in store.list("derived/aa/")] == ["derived/aa/1", "derived/aa/2/x"]
    assert [o.key for o in store.list("derived/a")] == keys[:3]
    assert [o.key for o in store.list("")] == keys
    assert [o.size for o in store.list("other/")] == [len(b"other/z")]
    assert list(store.list("nothing/")) == []


@pytest.mark.parametrize(
    "key",
    [
        "../escape",
        "a/../../b",
        "/etc/passwd",
        "a\x00b",
        "a\\b",
        "a//b",
        "",
        "a/./b",
        ".hidden",
        "a/",
    ],
)
def test_keys_that_could_escape_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.put_stream(key, io.BytesIO(b"x"))
    with pytest.raises(InvalidKey):
        store.open(key)
    with pytest.raises(InvalidKey):
        store.stat(key)
    with pytest.raises(InvalidKey):
        store.delete(key)


def test_large_object_of_unknown_length(store: ObjectStore) -> None:
    """40 MB through a one-way stream: multipart on S3, chunked on disk."""
    data = os.urandom(1024 * 1024) * 40
    result = store.put_stream("derived/big/obj", OneWay(data, piece=1 << 20))  # type: ignore[arg-type]
    assert result.size == len(data)
    assert result.sha256 == sha(data)
    assert store.stat("derived/big/obj").size == len(data)
    assert store.read_bytes("derived/big/obj", start=len(data) - 10) == data[-10:]


def test_readers_never_see_a_partial_object(store: ObjectStore) -> None:
    data = os.urandom(1024 * 1024) * 24
    seen: list[int] = []
    done = threading.Event()

    class Slow(OneWay):
        def readinto(self, buffer):
            n = super().readinto(buffer)
            if n:
                done.wait(0.002)
            return n

    def writer() -> None:
        try:
            store.put_stream("derived/atomic/obj", Slow(data, piece=256 * 1024))  # type: ignore[arg-type]
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    while not done.is_set():
        try:
            seen.append(store.stat("derived/atomic/obj").size)
        except FileNotFoundError:
            seen.append(-1)
    thread.join()
    assert set(seen) <= {-1, len(data)}
    assert store.read_bytes("derived/atomic/obj") == data


def test_concurrent_puts_of_one_original(store: ObjectStore) -> None:
    data = os.urandom(3_000_000)
    key = original_key(sha(data))
    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(store.put_stream(key, io.BytesIO(data))))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert all(r.sha256 == sha(data) for r in results)
    assert store.read_bytes(key) == data
    assert [o.key for o in store.list("blobs/")] == [key]
