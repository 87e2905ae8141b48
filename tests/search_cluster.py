"""A real OpenSearch cluster on loopback ports for the test session.

The distribution comes from Maven Central once (scripts/fetch-opensearch.sh); each
node runs from it with a configuration folder, data and logs of its own in a
throwaway folder.  OpenSearch refuses to run as root, so as root the nodes run as
``nobody``.  A cluster that cannot start raises ServerUnavailable: the tests fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from tests.servers import ServerUnavailable, fetched_home, free_port

HEAP = "384m"
JVM_OPTIONS = """-Xms{heap}
-Xmx{heap}
-XX:+UseG1GC
-Djava.io.tmpdir=${{OPENSEARCH_TMPDIR}}
-XX:ErrorFile={logs}/hs_err_pid%p.log
-Djava.util.concurrent.ForkJoinPool.common.threadFactory=org.opensearch.secure_sm.SecuredForkJoinWorkerThreadFactory
"""


def opensearch_home() -> Path:
    return fetched_home("fetch-opensearch.sh", "OpenSearch", "BAUAKTE_OPENSEARCH_HOME")


def _java_home() -> str | None:
    for candidate in (os.environ.get("JAVA_HOME"), "/usr/lib/jvm/java-17-openjdk-amd64"):
        if candidate and Path(candidate, "bin", "java").exists():
            return candidate
    return None


class OpenSearchNode:
    def __init__(self, cluster: OpenSearchCluster, name: str) -> None:
        self.cluster = cluster
        self.name = name
        self.http_port, self.transport_port = free_port(), free_port()
        self.dir = cluster.dir / name
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def prepare(self) -> None:
        config = self.dir / "config"
        shutil.copytree(self.cluster.home / "config", config, dirs_exist_ok=True)
        (self.dir / "logs").mkdir(exist_ok=True)
        (self.dir / "data").mkdir(exist_ok=True)
        (config / "jvm.options").write_text(JVM_OPTIONS.format(heap=HEAP, logs=self.dir / "logs"))

    def start(self) -> None:
        c = self.cluster
        settings = {
            "cluster.name": c.name, "node.name": self.name, "network.host": "127.0.0.1",
            "http.port": self.http_port, "transport.port": self.transport_port,
            "path.data": self.dir / "data", "path.logs": self.dir / "logs",
            "discovery.seed_hosts": ",".join(f"127.0.0.1:{n.transport_port}" for n in c.nodes),
            "cluster.initial_cluster_manager_nodes": ",".join(n.name for n in c.nodes),
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            "action.destructive_requires_name": "false",
        }  # fmt: skip
        command = [str(c.home / "bin" / "opensearch"), *(f"-E{k}={v}" for k, v in settings.items())]
        if c.run_as:
            command = ["runuser", "-u", c.run_as, "--", *command]
        env = {**os.environ, "OPENSEARCH_PATH_CONF": str(self.dir / "config")}
        if java := _java_home():
            env["OPENSEARCH_JAVA_HOME"] = env["JAVA_HOME"] = java
        with open(self.dir / "console.log", "ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=self.dir, start_new_session=True)  # fmt: skip

    def kill(self) -> None:
        """As a crash: SIGKILL to the node's whole process group."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self) -> str:
        path = self.dir / "console.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else "(no log)"


class OpenSearchCluster:
    """``size`` nodes on loopback, each eligible as cluster manager, one data folder each."""

    def __init__(self, size: int = 3) -> None:
        self.home = opensearch_home()
        self.name = f"bauakte-test-{uuid.uuid4().hex[:8]}"
        self.dir = Path(tempfile.mkdtemp(prefix="bauakte-opensearch-"))
        self.run_as = "nobody" if os.geteuid() == 0 else None
        self.nodes = [OpenSearchNode(self, f"node-{n}") for n in range(1, size + 1)]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def start(self, timeout: float = 180.0) -> None:
        for node in self.nodes:
            node.prepare()
        if self.run_as:
            account = pwd.getpwnam(self.run_as)
            self.dir.chmod(0o755)
            for path in [self.dir, *self.dir.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid)
        for node in self.nodes:
            node.start()
        self.wait_for(len(self.nodes), timeout)

    def health(self, node: OpenSearchNode | None = None) -> dict:
        url = (node or self.alive()[0]).url + "/_cluster/health"
        with urllib.request.urlopen(url, timeout=5) as answer:
            return json.load(answer)

    def alive(self) -> list[OpenSearchNode]:
        return [n for n in self.nodes if n.process is not None and n.process.poll() is None]

    def wait_for(self, nodes: int, timeout: float = 180.0, status: str = "green") -> None:
        """Until ``nodes`` nodes form the cluster and its health is ``status``."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            if not self.alive():
                break
            with contextlib.suppress(OSError, ValueError, IndexError):
                last = self.health()
                if last["number_of_nodes"] == nodes and (
                    last["status"] == status or (status == "yellow" and last["status"] == "green")
                ):
                    return
            time.sleep(0.5)
        tails = "\n".join(f"{n.name}: {n.log_tail()}" for n in self.nodes)
        raise ServerUnavailable(f"OpenSearch cluster not {status} with {nodes} nodes "
                                f"({last}):\n{tails}")  # fmt: skip

    def drop_indexes(self, prefix: str) -> None:
        """Every index whose name starts with ``prefix`` (a test's own), if a node answers."""
        for node in self.alive():
            request = urllib.request.Request(
                f"{node.url}/{prefix}*?expand_wildcards=all", method="DELETE"
            )
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=30).close()
                return

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
