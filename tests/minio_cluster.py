"""MinIO distributed over several server processes on loopback, for fault tests."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from minio import MinioAdmin
from minio.credentials import StaticProvider

from tests.servers import MINIO_PASSWORD, MINIO_USER, MinioServer, ServerUnavailable, free_port

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
        self.wait_joined(self.nodes[0], timeout)

    def restart(self, node: MinioServer, timeout: float = 120.0) -> None:
        """Start a node that was stopped, and wait until it sees all its peers again."""
        node.start(timeout)
        self.wait_joined(node, timeout)

    def wait_joined(self, node: MinioServer, timeout: float) -> None:
        """Until ``node`` sees every server and drive online. A node answers its health
        check once it has a quorum, a few seconds before it has reconnected to every peer;
        until then it answers 404 for objects written while it was away."""
        admin = MinioAdmin(
            endpoint=node.endpoint,
            credentials=StaticProvider(MINIO_USER, MINIO_PASSWORD),
            secure=False,
        )
        deadline = time.monotonic() + timeout
        seen: list = []
        while time.monotonic() < deadline:
            try:
                servers = json.loads(admin.info())["servers"]
            except Exception:  # not answering yet: asked again
                servers = []
            seen = [
                (s.get("state"), [d.get("state") for d in s.get("drives", [])]) for s in servers
            ]
            if len(seen) == len(self.nodes) and all(
                state == "online" and drives == ["ok"] for state, drives in seen
            ):
                return
            time.sleep(0.2)
        raise ServerUnavailable(f"minio node {node.endpoint} did not rejoin its peers: {seen}")

    def url(self, bucket: str, **params: str) -> str:
        """Through the first node (in production a proxy in front of all of them)."""
        return self.nodes[0].url(bucket, **params)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
