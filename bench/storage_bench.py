"""Storage throughput: filesystem store and MinIO against a plain file copy.

Writes and reads 1 MB objects (many) and 256 MB objects (a few) through each
store, and measures a plain ``shutil.copyfile`` / file read on the same disk in
the same run, so each figure is also a ratio that survives a noisy machine.

    python bench/storage_bench.py [--small-count 64] [--large-count 2] [--large-mb 256]

Starts its own MinIO server (scripts/build-minio.sh builds it) on loopback.
Reads come from the page cache for all three alike; the figures compare the
stores' own overhead, not the disk.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import FilesystemStore, ObjectStore, open_store, original_key
from tests.servers import MinioServer

MB = 1024 * 1024


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def make_inputs(folder: Path, size: int, count: int) -> list[Path]:
    block = os.urandom(MB)
    paths = []
    for i in range(count):
        path = folder / f"in-{size}-{i}.bin"
        with path.open("wb") as f:
            for _ in range(size // MB):
                f.write(block[:-1] + bytes([i % 256]))
        paths.append(path)
    return paths


def plain_copy(inputs: list[Path], folder: Path) -> tuple[float, float]:
    outs = [folder / f"copy-{uuid.uuid4().hex}" for _ in inputs]

    def write() -> None:
        for src, dst in zip(inputs, outs, strict=True):
            shutil.copyfile(src, dst)
            with dst.open("rb+") as f:
                os.fsync(f.fileno())

    def read() -> None:
        for dst in outs:
            with dst.open("rb") as f:
                while f.read(MB):
                    pass

    return timed(write), timed(read)


def through_store(
    store: ObjectStore, inputs: list[Path], tag: str, originals: bool = False
) -> tuple[float, float]:
    """Derived keys (atomic rename) or originals (content-addressed, fsynced, verified)."""
    if originals:
        keys = [original_key(hashlib.sha256(p.read_bytes()).hexdigest()) for p in inputs]
    else:
        keys = [f"derived/bench/{tag}/{i}" for i in range(len(inputs))]

    def write() -> None:
        for src, key in zip(inputs, keys, strict=True):
            store.put_file(key, src)

    def read() -> None:
        for key in keys:
            with store.open(key) as f:
                while f.read(MB):
                    pass

    return timed(write), timed(read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-count", type=int, default=64)
    parser.add_argument("--large-count", type=int, default=2)
    parser.add_argument("--large-mb", type=int, default=256)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bauakte-bench-", dir=args.dir))
    minio = MinioServer([work / "minio-data"])
    try:
        minio.start()
        stores: dict[str, ObjectStore] = {
            "filesystem": FilesystemStore(work / "objects"),
            "minio": open_store(minio.url("bench")),
        }
        for s in stores.values():
            s.ensure_ready()
        print(f"machine: {os.cpu_count()} cores; work folder {work}")
        print(f"{'case':<36}{'write MB/s':>12}{'ratio':>8}{'read MB/s':>12}{'ratio':>8}")
        for size_mb, count in ((1, args.small_count), (args.large_mb, args.large_count)):
            inputs = make_inputs(work, size_mb * MB, count)
            total = size_mb * count
            ref_w, ref_r = plain_copy(inputs, work)
            print(
                f"{f'plain copy {size_mb} MB x{count}':<36}{total / ref_w:>12.0f}{1:>8.2f}"
                f"{total / ref_r:>12.0f}{1:>8.2f}"
            )
            for name, store in stores.items():
                for originals in (False, True):
                    w, r = through_store(store, inputs, f"{name}-{size_mb}", originals)
                    label = f"{name} {'original' if originals else 'derived'} {size_mb} MB x{count}"
                    print(
                        f"{label:<36}{total / w:>12.0f}{ref_w / w:>8.2f}"
                        f"{total / r:>12.0f}{ref_r / r:>8.2f}"
                    )
            for p in inputs:
                p.unlink()
    finally:
        minio.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
