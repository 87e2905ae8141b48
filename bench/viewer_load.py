"""Load on ``bauakte serve``: 50 signed-in clients opening page images, beside static files.

    python bench/viewer_load.py [--clients 50] [--seconds 20] [--workers 2] [--threads 8]

Builds the demo archive in a temporary instance (or uses ``--home``), starts
``bauakte serve`` on loopback and signs in one reader with a grant to every
building file.  Then, each with ``--clients`` concurrent keep-alive
connections sharing that session:

1. cold renders: every page at three widths, each URL once; half of them
   paced at ``--cold-rate``/s (first views arriving as they would), half
   flat out (a burst of 50 at once on 2 cores: queueing);
2. cached page images: random (page, width) for ``--seconds``, first paced
   at ``--rate`` requests/s (latency at the goal's load), then flat out
   (the server's capacity, where latency is queueing: clients / rate);
3. reference: the same two runs fetching /static/app.css from the same
   server (no session, database or storage behind it).

Reports requests/s, p50/p95/p99 latency and errors for each, and the ratio
of cached page images to the static-file reference.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from docstore.config import load_config
from docstore.instance import Instance
from docstore.models import BuildingFile, Document, Role
from docstore.services import grants, users
from docstore.services.actors import CONSOLE
from ingest.demo import run_demo

READER, PASSWORD = "bench.reader", "bench-reader-password-2026"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, status: int) -> None:
        with self.lock:
            self.latencies.append(ms)
            self.errors += status != 200
            if status != 200:
                self.statuses[status] = self.statuses.get(status, 0) + 1


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def report(name: str, tally: Tally, seconds: float) -> float:
    rate = len(tally.latencies) / seconds
    lat = tally.latencies
    print(
        f"{name:<28} {len(lat):6d} req  {rate:7.1f} req/s  p50 {pct(lat, 0.5):6.1f}  "
        f"p95 {pct(lat, 0.95):6.1f}  p99 {pct(lat, 0.99):6.1f} ms  "
        f"errors {tally.errors} {tally.statuses or ''}"
    )
    return rate


def bench_user(session, username: str, every_file: bool) -> None:
    """A citizen for the bench (made once), with a grant to every building file if asked."""
    try:
        users.get_user(session, username)
    except Exception:
        user = users.create_user(session, username, PASSWORD, Role.CITIZEN, actor=CONSOLE)
        for bf in session.scalars(select(BuildingFile)) if every_file else ():
            grants.grant_access(session, user, bf, actor=CONSOLE)


def prepare(home: Path) -> list[tuple[int, int]]:
    """The reader with a grant to every file; returns (document, page) of every page."""
    instance = Instance(load_config({"home": home}, environ={}))
    instance.initialise()
    if not (home / "demo-archive").exists():
        run_demo(instance)
    with instance.db.transaction() as s:
        if s.scalar(select(Document.id).limit(1)) is None:
            raise SystemExit("the instance holds no documents")
        bench_user(s, READER, every_file=True)
        pages = [(d.id, n) for d in s.scalars(select(Document)) for n in range(1, d.page_count + 1)]
    instance.close()
    return pages


def start_server(home: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "BAUAKTE_HOME": str(home), "BAUAKTE_SIGNIN_RATE_LIMIT": "1000 per minute"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "viewer.cli", "serve", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("bauakte serve did not start")


def sign_in(port: int, username: str = READER, source: str | None = None) -> str:
    """A session cookie; ``source`` is the local address to connect from (its own rate limit)."""
    where = (source, 0) if source else None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=where)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
    conn.request("POST", "/login", body, {"Cookie": cookie,
                 "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in of {username} failed: {response.status}")
    return response.getheader("Set-Cookie").split(";", 1)[0]


def hammer(
    port: int,
    cookie: str | None,
    urls,
    clients: int,
    seconds: float | None,
    rate: float | None = None,
    headers: dict[str, str] | None = None,
) -> Tally:
    """``clients`` threads on keep-alive connections: a fixed list once, or random for a time.

    With ``rate`` the clients together send that many requests a second (each
    on its own schedule, an open loop); without, each sends its next request
    as soon as the last is answered (the server's capacity).
    """
    tally = Tally()
    work = list(urls)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds if seconds else None
    headers = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}

    def next_url() -> str | None:
        if stop_at is not None:
            return random.choice(work) if time.monotonic() < stop_at else None
        with lock:
            return work.pop() if work else None

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        interval = clients / rate if rate else 0.0
        due = time.perf_counter() + interval * number / clients
        while (url := next_url()) is not None:
            if interval:
                time.sleep(max(0.0, due - time.perf_counter()))
                due += interval
            start = time.perf_counter()
            status = 0
            for _attempt in (1, 2):  # a browser, too, retries once on a closed keep-alive
                try:
                    conn.request("GET", url, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            tally.add((time.perf_counter() - start) * 1000, status)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description="viewer load benchmark")
    parser.add_argument("--home", type=Path, help="an instance to use (default: a fresh demo)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rate", type=float, default=200, help="paced phase: requests/s")
    parser.add_argument("--cold-rate", type=float, default=20, help="paced cold renders/s")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bauakte-load-")) / "instance"
    print(f"machine: {os.cpu_count()} cores; server: {args.workers} workers x "
          f"{args.threads} threads; {args.clients} clients")  # fmt: skip
    pages = prepare(home)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_server(home, port, args.workers, args.threads)
    try:
        cookie = sign_in(port)
        image = "/documents/{}/pages/{}/image.jpg?w={}"
        cold = [image.format(d, n, w) for d, n in pages for w in (400, 800, 1200)]
        random.Random(7).shuffle(cold)
        half = len(cold) // 2
        start = time.perf_counter()
        tally = hammer(port, cookie, cold[:half], args.clients, None, args.cold_rate)
        report(f"cold renders at {args.cold_rate:.0f}/s", tally, time.perf_counter() - start)
        start = time.perf_counter()
        tally = hammer(port, cookie, cold[half:], args.clients, None)
        report("cold renders, flat out", tally, time.perf_counter() - start)
        start = time.perf_counter()
        paced = hammer(port, cookie, cold, args.clients, args.seconds, args.rate)
        report(f"cached images at {args.rate:.0f}/s", paced, time.perf_counter() - start)
        start = time.perf_counter()
        cached = hammer(port, cookie, cold, args.clients, args.seconds)
        rate = report("cached images, flat out", cached, time.perf_counter() - start)
        start = time.perf_counter()
        static = hammer(port, None, ["/static/app.css"], args.clients, args.seconds, args.rate)
        report(f"reference: static at {args.rate:.0f}/s", static, time.perf_counter() - start)
        start = time.perf_counter()
        static = hammer(port, None, ["/static/app.css"], args.clients, args.seconds)
        reference = report("reference: static flat out", static, time.perf_counter() - start)
        print(f"cached page images / static file: {rate / reference:.2f}x requests/s")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
