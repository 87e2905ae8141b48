"""Deep-zoom tiles under load, with and without the viewer's mark, beside bare pyvips.

    python bench/tile_bench.py [--clients 20] [--seconds 15] [--workers 2] [--threads 8]

Ingests the demo plan (9600 x 6400, scanned at 400 dpi) into a fresh instance,
starts ``bauakte serve`` on loopback and lets ``--clients`` concurrent
keep-alive clients fetch random 512-pixel IIIF tiles of every zoom level
(what OpenSeadragon asks for), flat out:

1. as an auditor (staff: clean tiles) and as a citizen (every tile marked),
   each with an API token: paced at ``--rate`` tiles/s (latency at that load:
   the p95 the goals name) and flat out (capacity; latency there is queueing,
   clients / rate); requests/s, p50/p95/p99 and the peak resident memory of
   each server process;
2. reference: the same tiles cut from the same pyramid with bare pyvips in
   this process, one after another (read, crop, scale, JPEG-encode), and
   the mark alone per tile (draw onto a cut tile, without the encoding);
3. the pyramid build per 100 megapixels beside a bare libvips ``tiffsave``
   of the same image with the same tile options.

The HTTP figures include permission checks, the database, the ETag and the
network stack; the ratios to the bare figures are what survive another machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import select  # noqa: E402
from viewer_load import hammer, pct, report, start_server  # noqa: E402

import ingest  # noqa: E402
from docstore.config import load_config  # noqa: E402
from docstore.instance import Instance  # noqa: E402
from docstore.models import Page, Role  # noqa: E402
from docstore.services import grants, sessions, tokens, users  # noqa: E402
from docstore.services.actors import CONSOLE  # noqa: E402
from docstore.services.marking import ViewerMark  # noqa: E402
from ingest import pyramid  # noqa: E402
from ingest.demo.render import plan_drawing  # noqa: E402
from ingest.vips import probe  # noqa: E402
from viewer import watermark  # noqa: E402
from viewer.iiif.info import TILE, scale_factors  # noqa: E402
from viewer.iiif.sources import PyramidSource  # noqa: E402

PASSWORD = "bench-tile-password-2026"


def prepare(home: Path, folder: Path) -> tuple[str, dict[str, str], Path]:
    """The plan ingested; (its page's IIIF id, API tokens by role, the original)."""
    instance = Instance(load_config({"home": home}, environ={}))
    instance.initialise()
    folder.mkdir(parents=True, exist_ok=True)
    original = folder / "63-BA-2020-0001_bauzeichnung_2020-03-01_Grundriss.jpg"
    plan_drawing("Neubau Wohnhaus", random.Random(7)).save(original, "JPEG", quality=85,
                                                           dpi=(400, 400))  # fmt: skip
    [report_] = ingest.run([folder], instance).files
    keys = {}
    with instance.db.transaction() as s:
        page = s.scalar(select(Page).where(Page.document_id == report_.document_id))
        bf = page.document.building_file
        for role, name in ((Role.AUDITOR, "bench.auditor"), (Role.CITIZEN, "bench.citizen")):
            user = users.create_user(s, name, PASSWORD, role, actor=CONSOLE)
            if role is Role.CITIZEN:
                grants.grant_access(s, user, bf, actor=CONSOLE)
            confirmed = sessions.Confirmed(user.id)
            keys[role.value] = tokens.create_token(
                s, user, "bench", confirmed=confirmed, valid_days=1
            )[1]
        iiif_id = page.iiif_id
    instance.close()
    return iiif_id, keys, next(home.rglob(pyramid.NAME))  # the filesystem store's file


def tiles(size: tuple[int, int]) -> list[tuple[int, int, int, int, int]]:
    """Every 512-pixel tile of every zoom level: (x, y, w, h, output width)."""
    out = []
    width, height = size
    for factor in scale_factors(size):
        step = TILE * factor
        for y in range(0, height, step):
            for x in range(0, width, step):
                w, h = min(step, width - x), min(step, height - y)
                out.append((x, y, w, h, math.ceil(w / factor)))
    return out


def worker_memory_mb(server_pid: int) -> list[tuple[float, float, float]]:
    """(peak RSS, PSS, USS) of every web process below the server, in MB.

    RSS counts the pages a worker shares with the master and its siblings
    (the modules imported before the fork) in full in every worker; PSS
    shares them out, USS leaves them out: what one more worker costs.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [server_pid]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            todo.append(child)
            try:
                status = Path(f"/proc/{child}/status").read_text()
                rollup = Path(f"/proc/{child}/smaps_rollup").read_text()
                cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "spool" in cmd:
                continue
            lines = (*status.splitlines(), *rollup.splitlines()[1:])
            kb = {ln.split(":")[0]: int(ln.split()[1]) for ln in lines if ln.endswith("kB")}
            uss = kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0)
            found.append((kb["VmHWM"] / 1024, kb.get("Pss", 0) / 1024, uss / 1024))
    return found


def _memory_line(label: str, figures: list[tuple[float, float, float]]) -> str:
    shown = "; ".join(f"RSS {r:.0f} / PSS {p:.0f} / USS {u:.0f}" for r, p, u in figures)
    return f"{label} (MB, master first or last): {shown}"


def bare(pyramid_file: Path, wanted: list[tuple[int, int, int, int, int]], n: int):
    """(ms per tile cut and encoded, ms per mark drawn) in this process, sequentially."""
    source = PyramidSource.open(pyramid_file)
    mark = ViewerMark(("Nur zur Einsichtnahme", f"Bench Citizen · {dt.date.today():%d.%m.%Y}"))
    cut_ms, mark_ms = [], []
    for x, y, w, h, out_w in random.Random(3).choices(wanted, k=n):
        out_h = max(1, round(h * out_w / w))
        start = time.perf_counter()
        image = source.cut((x, y, w, h), (out_w, out_h))
        image = image.copy_memory()
        image.jpegsave_buffer(Q=85, keep=0)
        cut_ms.append((time.perf_counter() - start) * 1000)
        marked_start = time.perf_counter()
        watermark.apply(image, mark, (x * out_w / w, y * out_h / h)).copy_memory()
        mark_ms.append((time.perf_counter() - marked_start) * 1000)
    return cut_ms, mark_ms


def build_times(original: Path, tmp: Path) -> tuple[float, float, float]:
    """(megapixels, s for Bauakte's pyramid.build, s for bare tiffsave) on the plan."""
    vips = probe()
    image = vips.Image.new_from_file(str(original))
    mp = image.width * image.height / 1e6
    start = time.perf_counter()
    pyramid.build(original, "image/jpeg", 1, tmp / "ours.tif", 10**9)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    vips.Image.new_from_file(str(original), access="sequential").tiffsave(
        str(tmp / "bare.tif"), tile=True, pyramid=True, compression="jpeg", Q=pyramid.QUALITY,
        tile_width=pyramid.TILE, tile_height=pyramid.TILE)  # fmt: skip
    return mp, ours, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description="deep-zoom tile benchmark")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--bare-tiles", type=int, default=400)
    parser.add_argument(
        "--rate",
        type=float,
        default=100,
        help="paced phase: tiles/s of all clients together (20 people zooming)",
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bauakte-tiles-"))
    home = root / "instance"
    print(f"machine: {os.cpu_count()} cores; server: {args.workers} workers x "
          f"{args.threads} threads; {args.clients} clients; demo plan 9600 x 6400")  # fmt: skip
    iiif_id, keys, pyramid_file = prepare(home, root / "batch")
    size = PyramidSource.open(pyramid_file).size
    wanted = tiles(size)
    urls = [f"/iiif/3/{iiif_id}/{x},{y},{w},{h}/{ow},/0/default.jpg" for x, y, w, h, ow in wanted]
    print(f"{len(urls)} tiles over {len(scale_factors(size))} zoom levels")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_server(home, port, args.workers, args.threads)
    results = {}
    try:
        print(_memory_line("memory per server process after start", worker_memory_mb(server.pid)))
        for label, role in (("staff (clean)", "auditor"), ("citizen (marked)", "citizen")):
            auth = {"Authorization": f"Bearer {keys[role]}"}
            hammer(port, None, urls[:40], 4, None, headers=auth)  # warm: connections, caches
            start = time.perf_counter()
            tally = hammer(port, None, urls, args.clients, args.seconds, args.rate, headers=auth)
            report(f"{label} at {args.rate:.0f}/s", tally, time.perf_counter() - start)
            results[role] = pct(tally.latencies, 0.95)
            start = time.perf_counter()
            tally = hammer(port, None, urls, args.clients, args.seconds, headers=auth)
            report(f"{label}, flat out", tally, time.perf_counter() - start)
        print(_memory_line("memory per server process after the load (RSS: peak)",
                           worker_memory_mb(server.pid)))  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    cut_ms, mark_ms = bare(pyramid_file, wanted, args.bare_tiles)
    print(f"reference: bare pyvips, one process: p50 {pct(cut_ms, 0.5):.1f}  "
          f"p95 {pct(cut_ms, 0.95):.1f} ms per tile (read, cut, scale, encode)")  # fmt: skip
    print(f"the mark alone: p50 {statistics.median(mark_ms):.1f}  p95 {pct(mark_ms, 0.95):.1f} "
          "ms per tile")  # fmt: skip
    print(f"paced p95 ratio to bare pyvips: clean {results['auditor'] / pct(cut_ms, 0.95):.1f}x, "
          f"marked {results['citizen'] / pct(cut_ms, 0.95):.1f}x")  # fmt: skip
    mp, ours, bare_s = build_times(next((root / "batch").iterdir()), root)
    print(f"pyramid build: {ours / mp * 100:.1f} s per 100 MP (pyramid.build) beside "
          f"{bare_s / mp * 100:.1f} s (bare tiffsave), {mp:.0f} MP image")  # fmt: skip
    print(json.dumps({"p95_clean_ms": results["auditor"], "p95_marked_ms": results["citizen"]}))


if __name__ == "__main__":
    main()
