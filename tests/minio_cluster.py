"""MinIO distributed over several server processes on loopback, for fault tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.servers import MinioServer, ServerUnavailable, free_port

CONTAINER_MARKS = (Path("/.dockerenv"), Path("/run/.containerenv"))


def node_address() -> str:
    """Loopback, except in a container: there distributed MinIO waits forever for its
    peers' names to resolve to something else than loopback, so the nodes listen on the
    machine's own private address (still only this machine talks to them)."""
    if not any(mark.exists() for mark in CONTAINER_MARKS):
        return "127.0.0.1"
    found = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    for address in found:
        if "." in address and not address.startswith("127."):
            return address
    raise ServerUnavailable("distributed MinIO in a container needs a non-loopback IPv4 address")


class MinioCluster:
    """MinIO distributed over ``size`` server processes on loopback, one drive each: one
    erasure set across the nodes (four nodes: two data and two parity shards per object,
    so any one node may be down for reads and writes)."""

    def __init__(self, base: Path, size: int = 4) -> None:
        host = node_address()
        ports = [free_port() for _ in range(size)]
        drives = [base / f"node{n}" / "data" for n in range(1, size + 1)]
        pairs = list(zip(ports, drives, strict=True))
        peers = [f"http://{host}:{port}{drive}" for port, drive in pairs]
        self.nodes = [MinioServer([drive], port, peers, host) for port, drive in pairs]

    def start(self, timeout: float = 120.0) -> None:
        for node in self.nodes:
            node.launch()
        for node in self.nodes:
            node.wait_ready(timeout)

    def url(self, bucket: str, **params: str) -> str:
        """Through the first node (in production a proxy in front of all of them)."""
        return self.nodes[0].url(bucket, **params)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
