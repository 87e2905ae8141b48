"""The pool that analyses pages for an OpenSearch rebuild, run from a queue worker.

A Procrastinate worker runs a rebuild in a thread beside its asyncio loop, which
handles SIGTERM as "stop". The pool's processes are forked from that worker; when the
pool ends it sends them SIGTERM. That must never reach the worker as its own stop
request (the worker stopped after its first rebuild), nor be ignored by a process (the
pool then waited for it for ever). The worker runs in a Python process of its own: the
signal state of the test process is not the test's to change.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WORKER = """
import asyncio, signal
from types import SimpleNamespace as Change
from indexer import opensearch_prepare
from indexer.records import PageRecord

def page(doc):
    return PageRecord(page_id=doc, document_id=doc, page_number=1, original_name="a.pdf",
                      text=f"Dachgeschoss Ausbau {doc}", text_source="pdf",
                      kind="sonstiges", building_file_id=1, aktenzeichen="63-BA-2019-0001")

analyse = opensearch_prepare.prepared

def probe(chunk):
    # what a pool process does on SIGTERM: the pool's end races with its processes
    # leaving by themselves, so their state is asked, not only the signal's effect
    wakeup = signal.set_wakeup_fd(-1)
    default = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    return [(default, wakeup, len(analyse(chunk)))]

opensearch_prepare.prepared = probe

def rebuild():
    changes = [Change(document_id=doc, pages=[page(doc)]) for doc in range(1, 81)]
    with opensearch_prepare.preparing(2) as prepare:
        return [state for states in prepare(opensearch_prepare.chunks(changes, 10))
                for state in states]

async def main():
    heard = []
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: heard.append("SIGTERM"))
    states = await asyncio.to_thread(rebuild)
    await asyncio.sleep(0.5)  # a stray signal would be handled by now
    print(sum(made for *_, made in states), sorted({state[:2] for state in states}), heard)

asyncio.run(main())
"""


def test_ending_the_pool_sends_the_worker_no_signal() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", WORKER], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "80 [(True, -1)] []"
