"""Several ``bauakte serve`` instances behind a real nginx (Debian's ``nginx-light``).

The proxy settings are the shipped ``docs/deploy/nginx-proxy.conf``, included as the
deployment guide says; only ports and temporary folders are the test's.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.servers import ROOT, ServerUnavailable, free_port

NGINX = "/usr/sbin/nginx"
PROXY_CONF = ROOT / "docs" / "deploy" / "nginx-proxy.conf"

CONFIG = """\
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    include /etc/nginx/mime.types;

    upstream bauakte {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /static/ {{
            alias {static}/;
            expires 1h;
        }}
        location / {{
            include {proxy_conf};
        }}
    }}
}}
"""


class ReverseProxy:
    """nginx in front of ``upstreams`` (host:port), on a free loopback port."""

    def __init__(self, root: Path, upstreams: list[str]) -> None:
        self.root = root
        self.upstreams = upstreams
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if not Path(NGINX).exists():
            raise ServerUnavailable("nginx is missing: apt-get install nginx-light")
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        if user:
            shutil.chown(self.root / "tmp", "nobody", "nogroup")
        servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=10s;"
                            for u in self.upstreams)  # fmt: skip
        config = self.root / "nginx.conf"
        config.write_text(CONFIG.format(root=self.root, user=user, servers=servers,
                                        port=self.port, static=ROOT / "viewer" / "static",
                                        proxy_conf=PROXY_CONF))  # fmt: skip
        self.proc = subprocess.Popen([NGINX, "-c", str(config), "-g", "daemon off;"],
                                     stderr=subprocess.DEVNULL)  # fmt: skip
        wait_for(f"{self.url}/static/app.css", self.proc, 20, lambda: self.log())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finishes what is in flight
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


class WebInstance:
    """One ``bauakte serve`` (gunicorn and its spool worker) in its own process group."""

    def __init__(self, root: Path, env: dict[str, str], workers: int = 1, threads: int = 4) -> None:
        self.root = root
        self.env = env
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.root / f"serve-{self.port}.log"

    def start(self) -> None:
        command = [sys.executable, "-m", "viewer.cli", "serve", "--port", str(self.port),
                   "--workers", str(self.workers), "--threads", str(self.threads)]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(command, env=self.env, stdout=log,
                                         stderr=log, start_new_session=True)  # fmt: skip
        wait_for(f"http://{self.address}/login", self.proc, 90, self.log)

    def kill(self) -> None:
        """SIGKILL the whole instance at once (a host lost), nothing shut down cleanly."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def requests_served(self, fragment: str) -> int:
        """Lines of the access log naming ``fragment`` (a path)."""
        return sum(fragment in line for line in self.log().splitlines())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_for(url: str, proc: subprocess.Popen, seconds: float, log) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    raise ServerUnavailable(f"{url} did not come up:\n{log()[-3000:]}")
