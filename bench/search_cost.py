"""Hostile searches beside ordinary use: do 16 of them in parallel slow everyone else down?

    python bench/search_cost.py [--home DIR] [--seconds 30] [--attackers 16]

Builds the demo archive in a temporary instance (or uses ``--home``), starts
``bauakte serve`` (2 workers x 8 threads) on loopback, and runs ordinary
readers: each signed in as a reader of their own, from a loopback address of
their own (127.0.0.10, .11, ...), alternating a search, a document page and
a thumbnail at a human pace.

1. quiet: the ordinary readers alone, for ``--seconds``;
2. attack: the same readers while ``--attackers`` threads of one citizen
   account, from 127.0.0.2, send searches of 16 long random words (each word
   a fuzzy fallback) one after another, waiting as a refusal's Retry-After
   asks (what an HTTP client library does);
3. flood: the same, but ignoring the 429s and asking again at once.  This
   is a request flood more than a search: every answer, even a refusal,
   costs a request's CPU, and 16 clients flat out fill 2 cores whatever
   they ask for.  Floods are for the reverse proxy (connection and request
   limits per address, see the README); the figures show what is left.

Prints p50/p95 of the readers' searches and page views in both phases, the
ratio attack/quiet (the goal: within 2x), and what the attackers got
(answered, refused as too costly, rate-limited).  The server runs with its
defaults (time budget, per-account and per-address search limits).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import string
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from viewer_load import Tally, bench_user, pct, prepare, sign_in, start_server

from docstore.config import load_config
from docstore.instance import Instance

ATTACKER = "bench.attacker"
WORDS = ["Baugenehmigung", "Statik", "Dachgeschoss", "Garage", "Lageplan", "Bauantrag",
         "Abnahme", "Standsicherheit", "Wohnhaus", "Brandschutz", "Keller", "Fenster"]  # fmt: skip


def readers(home: Path, count: int) -> list[str]:
    """``count`` readers with a grant to every file, and one attacker with none."""
    instance = Instance(load_config({"home": home}, environ={}))
    names = [f"bench.reader{i}" for i in range(count)]
    with instance.db.transaction() as s:
        for name in [*names, ATTACKER]:
            bench_user(s, name, every_file=name != ATTACKER)
    instance.close()
    return names


def connect(port: int, source: str) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))


def get(conn_box: list, port: int, source: str, url: str, cookie: str) -> tuple[int, float]:
    status, ms, _wait = request(conn_box, port, source, url, cookie)
    return status, ms


def request(conn_box, port, source, url, cookie) -> tuple[int, float, float]:
    """(status, milliseconds, seconds of Retry-After)."""
    start = time.perf_counter()
    for _attempt in (1, 2):
        try:
            conn_box[0].request("GET", url, headers={"Cookie": cookie})
            response = conn_box[0].getresponse()
            response.read()
            wait = float(response.getheader("Retry-After") or 0)
            return response.status, (time.perf_counter() - start) * 1000, wait
        except (OSError, http.client.HTTPException):
            conn_box[0].close()
            conn_box[0] = connect(port, source)
    return 0, (time.perf_counter() - start) * 1000, 0.0


def reader_loop(port, source, cookie, pages, stop, searches: Tally, views: Tally, pace: float):
    rnd = random.Random(source)
    box = [connect(port, source)]
    while not stop.is_set():
        query = " ".join(rnd.sample(WORDS, rnd.randint(1, 2)))
        url = "/search?" + urllib.parse.urlencode({"q": query})
        status, ms = get(box, port, source, url, cookie)
        searches.add(ms, status)
        doc, number = rnd.choice(pages)
        status, ms = get(box, port, source, f"/documents/{doc}?page={number}", cookie)
        views.add(ms, status)
        status, ms = get(box, port, source, f"/documents/{doc}/pages/{number}/thumb.jpg", cookie)
        views.add(ms, status)
        stop.wait(pace * (0.5 + rnd.random()))


def hostile_query(rnd: random.Random) -> str:
    return " ".join(
        "".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(12, 20)))
        for _ in range(16)
    )


def attacker_loop(port, cookie, stop, outcomes: dict, lock: threading.Lock, flood: bool) -> None:
    """Hostile searches one after the other; unless ``flood``, waiting as Retry-After asks."""
    rnd = random.Random()
    box = [connect(port, "127.0.0.2")]
    while not stop.is_set():
        url = "/search?" + urllib.parse.urlencode({"q": hostile_query(rnd)})
        status, ms, wait = request(box, port, "127.0.0.2", url, cookie)
        with lock:
            outcomes.setdefault(status, []).append(ms)
        if status == 429 and not flood:
            stop.wait(wait)


def phase(port, cookies, pages, seconds, pace, attack_cookie=None, attackers=0, flood=False):
    searches, views = Tally(), Tally()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=reader_loop,
            args=(port, f"127.0.0.{10 + i}", c, pages, stop, searches, views, pace),
        )
        for i, c in enumerate(cookies)
    ]
    outcomes: dict[int, list[float]] = {}
    lock = threading.Lock()
    threads += [
        threading.Thread(
            target=attacker_loop, args=(port, attack_cookie, stop, outcomes, lock, flood)
        )
        for _ in range(attackers)
    ]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return searches, views, outcomes


def line(name: str, tally: Tally) -> str:
    lat = tally.latencies
    return (f"{name:<30} {len(lat):5d} req  p50 {pct(lat, 0.5):7.1f}  p95 {pct(lat, 0.95):7.1f} ms"
            f"  errors {tally.errors} {tally.statuses or ''}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="hostile search benchmark")
    parser.add_argument("--home", type=Path, help="an instance to use (default: a fresh demo)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--attackers", type=int, default=16)
    parser.add_argument("--pace", type=float, default=3.0, help="seconds between a reader's rounds")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bauakte-cost-")) / "instance"
    print(f"machine: {os.cpu_count()} cores; server: 2 workers x 8 threads; {args.readers} "
          f"readers, {args.attackers} attackers, {args.seconds:.0f} s a phase")  # fmt: skip
    pages = prepare(home)
    names = readers(home, args.readers)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_server(home, port, 2, 8)
    try:
        cookies = [sign_in(port, n, f"127.0.0.{10 + i}") for i, n in enumerate(names)]
        attack_cookie = sign_in(port, ATTACKER, "127.0.0.2")
        quiet_s, quiet_v, _ = phase(port, cookies, pages, args.seconds, args.pace)
        print(line("quiet: searches", quiet_s))
        print(line("quiet: page views", quiet_v))
        for flood in (False, True):
            label = "flood, ignoring 429" if flood else "attack"
            busy_s, busy_v, outcomes = phase(
                port, cookies, pages, args.seconds, args.pace, attack_cookie, args.attackers, flood
            )
            print(line(f"{label}: searches", busy_s))
            print(line(f"{label}: page views", busy_v))
            for status, ms in sorted(outcomes.items()):
                what = {200: "answered", 400: "refused (bounds)", 429: "rate-limited"}.get(status)
                print(f"  attackers got {status} {what or '?':<17} {len(ms):6d}  "
                      f"p50 {pct(ms, 0.5):7.1f}  p95 {pct(ms, 0.95):7.1f} ms")  # fmt: skip
            for name, quiet, busy in (
                ("searches", quiet_s, busy_s),
                ("page views", quiet_v, busy_v),
            ):
                ratio = pct(busy.latencies, 0.95) / pct(quiet.latencies, 0.95)
                print(f"  p95 {name} {label} / quiet: {ratio:.2f}x (goal: within 2x)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
