"""The whole server stack under load, beside nginx serving a static file.

    python bench/stack_load.py [--users 200] [--seconds 60] [--rate 100]

Starts, on loopback: PostgreSQL, MinIO over four nodes, a three-node OpenSearch
cluster, three ``bauakte serve`` instances behind nginx (the tests' helpers, the
shipped nginx include) and two ``bauakte worker`` processes on the job queue.
Ingests a small archive (40 building files, 120 documents), makes ``--users``
citizens with grants, then:

- every user signs in through nginx (paced over the first seconds);
- for ``--seconds`` the users together send ``--rate`` requests/s (an open loop,
  each on its own schedule): a search, a document page, a page image, in turn;
- meanwhile clerks' uploads (4 of 10 PDFs) are ingested by the two workers;
- reference: the same rate of requests for /static/app.css, which nginx serves
  itself.

Prints requests/s, p50/p95/p99 and errors per kind of request, how long the
uploads took, and the ratio of each kind's p95 to the static file's.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

import ingest
from docstore.config import load_config
from docstore.instance import Instance
from docstore.models import BuildingFile, Document, Role, UploadBatch
from docstore.services import grants, users
from docstore.services.actors import CONSOLE
from ingest import spool
from ingest.model import Outcome
from tests.conftest import BAUAKTE, as_environment
from tests.ingest.samples import text_pdf
from tests.minio_cluster import MinioCluster
from tests.search_cluster import OpenSearchCluster
from tests.servers import PostgresServer
from tests.web_farm import ReverseProxy, WebInstance

PASSWORD = "stack-load-password-2026"
WORDS = ["Baugenehmigung", "Statik", "Wohnhaus", "Garage", "Dachgeschoss", "Brandschutz"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


class Tally:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.lock = threading.Lock()

    def add(self, kind: str, ms: float, status: int) -> None:
        with self.lock:
            self.ms[kind].append(ms)
            if status not in (200, 404):  # a page without a grant is a correct 404
                self.errors[kind] += 1
                self.statuses[kind][status] += 1

    def show(self, seconds: float) -> dict[str, float]:
        p95 = {}
        for kind, ms in sorted(self.ms.items()):
            p95[kind] = percentile(ms, 95)
            print(f"  {kind:<14} {len(ms) / seconds:6.1f} req/s  p50 {percentile(ms, 50):6.1f}  "
                  f"p95 {p95[kind]:6.1f}  p99 {percentile(ms, 99):6.1f} ms  "
                  f"errors {self.errors[kind]} {dict(self.statuses[kind]) or ''}")  # fmt: skip
        return p95


def session_memory_mb(sid: int) -> list[tuple[str, float, float]]:
    """(command, RSS, PSS in MB) of every process in session ``sid`` (a web instance's
    group). PSS shares each page among the processes that map it: what a forked worker
    costs the host beside its master, where RSS counts the shared word list in full."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            rollup = (entry / "smaps_rollup").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[3]) != sid:
            continue
        kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:]}
        found.append((command, kb.get("Rss", 0) / 1024, kb.get("Pss", 0) / 1024))
    return found


def server_errors(log: Path, limit: int = 3) -> list[str]:
    """The first tracebacks a web instance logged: what a 5xx was."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return ["Traceback" + t.split("\n\n", 1)[0] for t in text.split("Traceback")[1 : limit + 1]]


def make_archive(home: Path, settings: dict[str, str], files: int, users_wanted: int) -> list[int]:
    """Documents of ``files`` building files and the users with grants; returns doc ids."""
    instance = Instance(load_config({"home": home, **settings}, environ={}))
    instance.initialise()
    batch = home.parent / "archive"
    batch.mkdir()
    for n in range(files):
        az = f"63-BA-2020-{n:04d}"
        for kind, title in (("baugenehmigung", "Wohnhaus"), ("statik", "Tragwerk"),
                            ("bauzeichnung", "Grundriss")):  # fmt: skip
            marker = f"{az} {kind} " + " ".join(random.Random(n).sample(WORDS, 3))
            text_pdf(batch / f"{az}_{kind}_2020-03-01_{title}.pdf", pages=3, marker=marker)
    report = ingest.run([batch], instance)
    with instance.db.transaction() as s:
        users.create_user(s, "clerk", PASSWORD, Role.CLERK, actor=CONSOLE)
        files_found = list(s.scalars(select(BuildingFile)))
        for n in range(users_wanted):
            user = users.create_user(s, f"citizen.{n}", PASSWORD, Role.CITIZEN, actor=CONSOLE)
            for bf in random.Random(n).sample(files_found, 3):
                grants.grant_access(s, user, bf, actor=CONSOLE)
        docs = list(s.scalars(select(Document.id)))
    instance.close()
    print(f"archive: {report.count(Outcome.ACCEPTED)} documents, {users_wanted} users")
    return docs


def sign_in(port: int, username: str) -> str | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    with contextlib.closing(conn):
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token})  # fmt: skip
        conn.request("POST", "/login", body, {"Cookie": cookie,
                     "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        new = response.getheader("Set-Cookie")
        return new.split(";", 1)[0] if response.status == 302 and new else None


def user_loop(port: int, cookie: str | None, docs: list[int], interval: float, offset: float,
              stop_at: float, tally: Tally, static_only: bool) -> None:  # fmt: skip
    """One user's requests, each due at its own time (an open loop: a slow answer does not
    lower the rate the server is offered)."""
    rng = random.Random(offset)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    due = time.perf_counter() + offset
    step = 0
    while due < stop_at:
        time.sleep(max(0.0, due - time.perf_counter()))
        due += interval
        if static_only:
            kind, path = "static file", "/static/app.css"
        else:
            doc = rng.choice(docs)
            kind, path = [
                ("search", f"/search?q={urllib.parse.quote(rng.choice(WORDS))}"),
                ("document page", f"/documents/{doc}"),
                ("page image", f"/documents/{doc}/pages/{rng.randint(1, 3)}/image.jpg?w=800"),
            ][step % 3]
        step += 1
        start = time.perf_counter()
        status = 0
        try:
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        tally.add(kind, (time.perf_counter() - start) * 1000, status)
    conn.close()


def run_users(port: int, cookies: list[str | None], docs: list[int], rate: float,
              seconds: float, static_only: bool = False) -> Tally:  # fmt: skip
    tally = Tally()
    interval = len(cookies) / rate
    stop_at = time.perf_counter() + seconds
    threads = [threading.Thread(target=user_loop, args=(port, c, docs, interval,
               interval * i / len(cookies), stop_at, tally, static_only))
               for i, c in enumerate(cookies)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def upload_while(instance: Instance, root: Path, uploads: int) -> tuple[list[int], float]:
    with instance.db.session() as s:
        clerk = users.get_user(s, "clerk")
    ids = []
    for u in range(uploads):
        folder = root / f"upload-{u}"
        folder.mkdir()
        paths = [text_pdf(folder / f"63-BA-2021-{u:02d}{n:02d}_statik_2021-02-01_Neu.pdf",
                          pages=2, marker=f"Nachtrag {u} {n}") for n in range(10)]  # fmt: skip
        handles = [(p.name, p.open("rb")) for p in paths]
        ids.append(spool.receive(instance, clerk, handles))
        for _n, f in handles:
            f.close()
    return ids, time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description="the whole stack under load")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100, help="requests/s of all users")
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--uploads", type=int, default=4, help="of 10 PDFs, during the load")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; {args.users} users at {args.rate:.0f} req/s "
          f"for {args.seconds:.0f} s; 3 web instances (1 worker x 8 threads) behind nginx, "
          "3 OpenSearch nodes, 4 MinIO nodes, PostgreSQL, 2 ingest workers")  # fmt: skip
    root = Path(tempfile.mkdtemp(prefix="bauakte-stack-"))
    pg, minio, search = PostgresServer(), MinioCluster(root / "minio", 4), OpenSearchCluster(3)
    started: list = []
    procs = []
    try:
        for server in (pg, minio, search):
            server.start()
            started.append(server)
        settings = {"database_url": pg.url(pg.create_database()),
                    "storage_url": minio.url(f"b-{uuid.uuid4().hex[:12]}"),
                    "search_url": ",".join(search.urls), "search_index": "stack",
                    "job_queue": "postgres", "trusted_proxies": "1", "ingest_workers": "1",
                    "signin_rate_limit": "100000 per minute",
                    "search_rate_limit": "100000 per minute"}  # fmt: skip
        home = root / "instance"
        docs = make_archive(home, settings, args.files, args.users)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BAUAKTE_")}
        env |= as_environment({**settings, "home": str(home)})
        webs = [WebInstance(root, env, workers=1, threads=8) for _ in range(3)]
        for web in webs:
            web.start()
            started.append(web)
        proxy = ReverseProxy(root / "nginx", [w.address for w in webs])
        proxy.start()
        started.append(proxy)
        for n in range(2):
            scratch = root / f"scratch-{n}"
            procs.append(subprocess.Popen(
                [BAUAKTE, "worker", "--name", f"bench-{n}"],
                env={**env, "BAUAKTE_SCRATCH_DIR": str(scratch)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        start = time.perf_counter()
        cookies: list[str | None] = []
        for n in range(args.users):
            cookies.append(sign_in(proxy.port, f"citizen.{n}"))
        signin_s = time.perf_counter() - start
        failed_signins = cookies.count(None)
        print(f"sign-in: {args.users} users in {signin_s:.1f} s "
              f"({args.users / signin_s:.1f}/s), {failed_signins} failed")  # fmt: skip
        instance = Instance(load_config({"home": home, **settings}, environ={}))
        ids, queued_at = upload_while(instance, root, args.uploads)
        tally = run_users(proxy.port, cookies, docs, args.rate, args.seconds)
        print(f"under load ({args.seconds:.0f} s, while {args.uploads} uploads of 10 PDFs "
              "were ingested):")  # fmt: skip
        p95 = tally.show(args.seconds)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with instance.db.session() as s:
                done = [s.get(UploadBatch, i).status == "done" for i in ids]
            if all(done):
                break
            time.sleep(1)
        print(f"uploads: {sum(done)} of {len(ids)} done {time.perf_counter() - queued_at:.0f} s "
              "after they were queued")  # fmt: skip
        for web in webs:
            sizes = [(("spool" if "spool" in c else "serve"), rss, pss)
                     for c, rss, pss in session_memory_mb(web.proc.pid)]  # fmt: skip
            print("  memory of an instance, RSS (PSS) (gunicorn master, worker; spool): "
                  + ", ".join(f"{name} {rss:.0f} ({pss:.0f}) MB"
                              for name, rss, pss in sorted(sizes)))  # fmt: skip
            for traceback in server_errors(web.log_path):
                print(f"  server error logged by {web.address}:\n{traceback}")
        instance.close()
        reference = run_users(proxy.port, [None] * args.users, docs, args.rate, args.seconds,
                              static_only=True)  # fmt: skip
        print("reference: nginx serving /static/app.css at the same rate:")
        ref = reference.show(args.seconds)["static file"]
        for kind, value in p95.items():
            print(f"  p95 {kind} / static file: {value / max(ref, 0.01):.0f}x")
    finally:
        for proc in procs:
            proc.terminate()
            with contextlib.suppress(Exception):
                proc.wait(timeout=60)
        for server in reversed(started):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
